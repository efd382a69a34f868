"""The errors sizefloor raises.

Every error the library raises on purpose derives from :class:`SizefloorError`
and carries a one-paragraph message, an optional hint saying what to do, and
the exit status the command line uses for it::

    SizefloorError                 exit 1: something failed
    ├── InputError                 exit 2: the user's input is wrong
    │   ├── RequirementsError      a requirements file or string (file, line)
    │   ├── TargetError            an impossible --python / --platform / --libc
    │   ├── ProjectNotFound        no such project on any index
    │   ├── NoCompatibleFiles      the project publishes nothing for the target
    │   ├── ResolutionImpossible   requirements that clash
    │   └── IndexAuthError         the index refused the credentials (401/403)
    ├── IndexUnavailable           an index that cannot be reached
    ├── MetadataUnavailable        a file whose metadata cannot be read
    └── OfflineMiss                --offline and the cache lacks something

Messages never contain credentials: URLs pass through
:func:`sizefloor.urls.redact` before they are put in a message.
"""

from __future__ import annotations


class SizefloorError(Exception):
    """Base of every error sizefloor raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n{self.hint}"
        return self.message


class InputError(SizefloorError):
    """The input is wrong: fixing it is up to the user."""

    exit_code = 2


class RequirementsError(InputError):
    """A requirements file (or string) that cannot be read or parsed."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(f"{where}{message}", hint=hint)
        self.file = file
        self.line = line


class TargetError(InputError):
    """A target (Python version, platform, libc) that cannot exist."""


class ProjectNotFound(InputError):
    """No index knows the project."""

    def __init__(self, project: str, *, hint: str | None = None) -> None:
        super().__init__(f"No index has a project named {project!r}.", hint=hint)
        self.project = project


class NoCompatibleFiles(InputError):
    """The project exists but publishes nothing installable on the target."""

    def __init__(self, project: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.project = project


class ResolutionImpossible(InputError):
    """The requirements cannot all be satisfied at once."""


class IndexAuthError(InputError):
    """The index answered 401 or 403."""


class IndexUnavailable(SizefloorError):
    """An index or file host could not be reached, or kept failing."""


class MetadataUnavailable(SizefloorError):
    """A distribution's metadata could not be read."""


class OfflineMiss(SizefloorError):
    """``--offline`` was asked for and the cache does not hold what is needed."""
