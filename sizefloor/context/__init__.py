"""Build contexts: what ``docker build DIR`` sends once ``.dockerignore`` is applied."""
