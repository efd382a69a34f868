"""The estimate: the stages wired together, from requirements (or the image a Dockerfile builds)
and a target to a report."""
