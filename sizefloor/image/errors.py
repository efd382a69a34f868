"""The errors reading an image raises.

They live in a module of their own, below every reader, so that the decompressor, the
archive reader, the layer scanner and the filesystem raise the same class without
importing one another. All are :class:`~sizefloor.errors.InputError`: the archive given
is the input, and the command line exits 2 for them::

    InputError
    └── ImageError                 an archive that cannot be read: not an image,
        │                          truncated, inconsistent or unsafe
        ├── MissingFromArchive     a member or blob the archive does not hold
        ├── DamagedLayer           a layer blob that cannot be read to its end
        └── UnsupportedCompression a layer compressed in a way this Python cannot read
"""

from __future__ import annotations

from sizefloor.errors import InputError


class ImageError(InputError):
    """An image archive that cannot be read: not an image, truncated, inconsistent or unsafe."""


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
