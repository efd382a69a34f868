"""What the user hands over: requirements files and strings, pyproject.toml, lock files (uv,
PEP 751, Poetry, Pipfile), folders, pip's configuration."""
