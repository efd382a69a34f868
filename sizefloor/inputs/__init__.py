"""What the user hands over: requirements files and strings, pyproject.toml, lock files (uv,
PEP 751, Poetry, Pipfile), Dockerfiles and their RUN lines, folders, pip's configuration."""
