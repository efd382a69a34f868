"""Where a requirement was written, and the error that names that place."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sizefloor.errors import RequirementsError
from sizefloor.urls import redact

__all__ = ["Origin", "redact_text"]

_URL_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+")


def redact_text(text: str) -> str:
    """Redact the credentials of every URL found in ``text``."""
    return _URL_IN_TEXT_RE.sub(lambda m: redact(m.group(0)), text)


@dataclass(frozen=True)
class Origin:
    """Where a requirement was written: a file and line, or the n-th string given."""

    file: str | None
    """The file's path as given (top-level) or as resolved (included); ``None`` for strings."""
    line: int | None
    """1-based; for a continued line, the number of its first physical line."""

    def __str__(self) -> str:
        if self.file is None:
            return "<string>" if self.line is None else f"<string {self.line}>"
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def comes_from(self, *, constraint: bool = False) -> str:
        """pip's way of naming the origin: ``-r requirements.txt (line 12)``."""
        if self.file is None:
            return str(self)
        flag = "-c" if constraint else "-r"
        if self.line is None:
            return f"{flag} {self.file}"
        return f"{flag} {self.file} (line {self.line})"

    def error(self, message: str, hint: str) -> RequirementsError:
        """The error to raise about what is written here: what is wrong (``message``)
        and what to do (``hint``), credentials redacted from both."""
        message, hint = redact_text(message), redact_text(hint)
        if self.file is None:
            return RequirementsError(f"{self}: {message}", line=self.line, hint=hint)
        return RequirementsError(message, file=self.file, line=self.line, hint=hint)
