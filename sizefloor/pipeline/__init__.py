"""The estimate: the stages wired together, from requirements and a target to a report."""
