"""The errors sizefloor raises: one tree, every class defined here.

Every error the library raises on purpose derives from :class:`SizefloorError` and carries
a one-paragraph message, an optional hint saying what to do, and the exit status the
command line gives it (:mod:`sizefloor.cli.exits`)::

    SizefloorError                   exit 1: something failed
    ├── InputError                   exit 2: the user's input is wrong
    │   ├── RequirementsError        a requirements file or string (file, line)
    │   ├── ProjectFileError         a pyproject.toml, a lock file, a Dockerfile or a folder
    │   │                            that cannot be read, or a format sizefloor does not read
    │   ├── TargetError              an impossible --python / --platform / --libc / --base
    │   ├── InterpreterError         --python-exe names no CPython of the target's version
    │   ├── InvalidSize              a size that cannot be read (--max-size, --image-size)
    │   ├── ProjectNotFound          no such project on any index
    │   ├── NoCompatibleFiles        the project publishes nothing for the target
    │   ├── ResolutionImpossible     requirements that clash
    │   ├── IndexAuthError           the index refused the credentials (401/403)
    │   ├── ImageError               an image archive that cannot be read
    │   │   ├── MissingFromArchive   a member or blob the archive does not hold
    │   │   ├── DamagedLayer         a layer blob that cannot be read to its end
    │   │   └── UnsupportedCompression  a layer compressed in a way this Python cannot read
    │   ├── ContextError             a build context that cannot be measured
    │   └── DockerignoreError        a .dockerignore that docker build would refuse
    ├── IndexUnavailable             an index that cannot be reached, or keeps failing
    │   └── ResponseTooLarge         an index page or metadata file over the size cap
    ├── MetadataUnavailable          a file whose metadata cannot be read
    ├── OfflineMiss                  --offline and the cache lacks something
    ├── DebianError                  Debian's archive cannot be read (--refresh-runtime)
    └── CompilerError                a CPython worker that would not compile (caught:
                                     the bytecode is modelled instead)

Messages never contain credentials: URLs pass through :func:`sizefloor.urls.redact`
before they are put in a message. The command line (:mod:`sizefloor.cli.main`) prints the
message and the hint, and exits with :attr:`SizefloorError.exit_code`; anything else that
reaches it is an internal error, reported as a bug.
"""

from __future__ import annotations

__all__ = [
    "CompilerError",
    "ContextError",
    "DamagedLayer",
    "DebianError",
    "DockerignoreError",
    "ImageError",
    "IndexAuthError",
    "IndexUnavailable",
    "InputError",
    "InterpreterError",
    "InvalidSize",
    "MetadataUnavailable",
    "MissingFromArchive",
    "NoCompatibleFiles",
    "OfflineMiss",
    "ProjectFileError",
    "ProjectNotFound",
    "RequirementsError",
    "ResolutionImpossible",
    "ResponseTooLarge",
    "SizefloorError",
    "TargetError",
    "UnsupportedCompression",
]


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


# ------------------------------------------------------------------ the user's input: exit 2


class InputError(SizefloorError):
    """The input is wrong: fixing it is up to the user. Given the ``file`` (and ``line``)
    it is in, the message starts with ``file:line:``, as a compiler's does."""

    exit_code = 2

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


class RequirementsError(InputError):
    """A requirements file (or string) that cannot be read or parsed."""


class ProjectFileError(InputError):
    """A project as the user keeps it that cannot be read: a ``pyproject.toml``, a lock file,
    a Dockerfile (or the unknown base of its image), a folder with nothing (or too much) to
    read, a format sizefloor does not read, or a
    local project whose dependencies cannot be known without a build that failed."""


class TargetError(InputError):
    """A target (Python version, platform, libc, base) that cannot exist."""


class InterpreterError(InputError):
    """``--python-exe`` names a file that is not a CPython of the target's version."""


class InvalidSize(InputError):
    """A size that cannot be read."""


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


class ImageError(InputError):
    """An image archive that cannot be read: not an image, truncated, inconsistent or unsafe.

    The archive given is the input, hence exit 2."""


class MissingFromArchive(ImageError):
    """The archive does not hold ``name`` (a member of a tar, a file of a layout)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the archive lacks {name}.")
        self.name = name


class DamagedLayer(ImageError):
    """A layer that cannot be read to its end: truncated, damaged or not a tar."""

    def __init__(self, layer: str, reason: str) -> None:
        super().__init__(
            f"{layer} cannot be read: it is truncated, damaged or not a tar ({reason})."
        )
        self.layer = layer


class UnsupportedCompression(ImageError):
    """A layer compressed with zstd on a Python that has no zstd decompressor."""


class ContextError(InputError):
    """A build context that cannot be measured (missing, unreadable)."""


class DockerignoreError(InputError):
    """A .dockerignore that ``docker build`` itself would refuse."""


# ------------------------------------------------------------------ failures: exit 1


class IndexUnavailable(SizefloorError):
    """An index or file host could not be reached, or kept failing."""


class ResponseTooLarge(IndexUnavailable):
    """An index page or metadata file larger than the cap (``--max-page-size``): refused as it
    streams in, never held whole nor cached."""


class MetadataUnavailable(SizefloorError):
    """A distribution's metadata could not be read."""


class OfflineMiss(SizefloorError):
    """``--offline`` was asked for and the cache does not hold what is needed."""


class DebianError(SizefloorError):
    """Debian's archive could not be read, or a package set could not be resolved."""


class CompilerError(SizefloorError):
    """A worker could not be started or stopped answering (exit status 1 should it ever
    reach the command line; :func:`sizefloor.install.exact.sample_all` catches it and
    models the wheel's bytecode instead)."""
