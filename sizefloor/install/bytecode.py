"""The size of the ``.pyc`` files an installer writes: modelled, or compiled.

pip byte-compiles every installed ``.py`` file. A ``.pyc`` is a 16-byte
header and the marshalled code object: it grows with the code in the source
(not its comments), and holds the source's full path once.

**The model** (the default): a wheel's central directory gives, for free, each
module's size, its compressed size and its name. Per Python version::

    pyc = empty + len(path)                              an empty source file
    pyc = max(empty, empty + small * min(size, 16 KiB)
                           + large * max(size - 16 KiB, 0)
                           + compressed * compressed_size
                           + init * [the file is __init__.py]
                           + tests * size * [it is in a tests/, test/ or testing/ folder])
          + len(path)                                    otherwise

The compressed size says how repetitive a source is (data tables compress
well and marshal to less than their source; sparse code the other way);
``__init__.py`` files are mostly imports; test code is dense. Where the
compressed size is unknown (an sdist's modules) it is taken as the median
share, :attr:`Coefficients.ratio`.

``benchmarks/pyc_model.py`` fits it. Its corpus: 209 real wheels (every
package the accuracy cases install, and 80 more: generated API clients, data
tables, large pure-Python code bases, test-heavy packages), 33,603 modules,
each compiled exactly as pip does by CPython 3.10, 3.11, 3.12 and 3.13. The
coefficients minimise the sum of whole packages' absolute relative errors;
the form was chosen among seven by 10-fold cross-validation over *projects*
(each package predicted by a fit that never saw it): the simplest within a
point of the lowest mean held-out p90. Per-package |error| of the bytecode
on held-out packages (208 packages):

    Python  model  p50    p90    corpus total
    3.10    old     8.2%  33.5%   +2.6%
            new     7.8%  25.0%   -4.4%
    3.11    old    13.5%  46.3%  +13.9%
            new     8.9%  26.4%   +4.7%
    3.12    old    12.7%  43.3%  +13.7%
            new     7.4%  26.9%   +6.1%
    3.13    old    11.9%  43.5%  +13.6%
            new     8.4%  26.5%   +5.7%

("old" is the model before: ``intercept + slope * size``, fitted on one
site-packages.) What no free feature predicts is how code is written: modules
of ``Annotated[..., Doc("...")]`` parameters marshal to half their source,
generated data tables to a third (``idna``'s) or to three times it
(``phonenumbers``'). :data:`RELATIVE_ERROR` is the largest held-out p90: the
truth is within the stated ± for nine packages in ten.

That is why, when a CPython of the target's version is found
(:mod:`sizefloor.install.interpreters`), the default run calibrates the model on
modules of the wheels, compiled (:mod:`sizefloor.install.calibrate`), to within
1% of the whole estimate.

**Exact** (``--exact-bytecode``): :func:`compiled_size` compiles the source as pip does
(in this process when the running interpreter is the target's CPython, else in worker
processes of the one found, :mod:`sizefloor.install.compilers`; :mod:`sizefloor.install.exact`
fetches it), and :func:`pip_compiles` skips what pip
skips. One thing stays out of reach: marshal writes a constant once and refers
back to it only when the object has other references, and whether a frozenset
constant does can hang on which strings the compiling process had interned
before (``intern_string_constants`` rebuilds the set when one was). On the
accuracy cases that moved 3 modules of some 14,000 by 10 bytes.
"""

from __future__ import annotations

import contextlib
import encodings
import importlib.util
import marshal
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from encodings.aliases import aliases
from types import CodeType

RELATIVE_ERROR = 0.27
"""How far a package's modelled bytecode can be off, as a share of it: the
largest held-out 90th percentile of ``benchmarks/pyc_model.py``."""

SPLIT = 16 * 1024
"""Source bytes past this have their own slope (``large``)."""


@dataclass(frozen=True)
class Coefficients:
    empty: int
    """An empty module's ``.pyc``, less the path."""
    small: float
    """Per source byte, for the first :data:`SPLIT` bytes."""
    large: float
    """Per source byte past :data:`SPLIT`."""
    compressed: float
    """Per byte of the module compressed in its wheel."""
    init: float
    """Added for a non-empty ``__init__.py``."""
    tests: float
    """Added per source byte of a module in a test folder."""
    ratio: float = 0.301
    """The median compressed share of a module: stands in for an unknown compressed size."""


# (major, minor) -> fit; versions past the last use the last, before the first the first.
MODEL: dict[tuple[int, int], Coefficients] = {
    (3, 10): Coefficients(93, 0.7442, 0.6365, 0.2957, -109.5, 0.1866),
    (3, 11): Coefficients(109, 1.087, 0.9146, 0.7216, -303.0, 0.6293),
    (3, 12): Coefficients(97, 1.089, 0.9189, 0.3321, -185.4, 0.4818),
    (3, 13): Coefficients(97, 1.035, 0.8674, 0.5159, -222.2, 0.4777),
}


@dataclass(frozen=True)
class PycEstimate:
    size: int
    error: int


def coefficients(python_version: tuple[int, int]) -> Coefficients:
    if python_version in MODEL:
        return MODEL[python_version]
    known = sorted(MODEL)
    if python_version < known[0]:
        return MODEL[known[0]]
    return MODEL[known[-1]]


def pyc_size(
    source_size: int,
    path: str,
    python_version: tuple[int, int],
    *,
    compressed_size: int | None = None,
) -> PycEstimate:
    """The modelled size of the ``.pyc`` compiled from a source of ``source_size``
    bytes (``compressed_size`` in its wheel, when known) that pip compiles as
    ``path`` (see :func:`sizefloor.install.plan.compiled_path`)."""
    fit = coefficients(python_version)
    path_bytes = len(path) if path.isascii() else len(path.encode())
    if source_size == 0:
        return PycEstimate(fit.empty + path_bytes, 0)
    if compressed_size is None:
        compressed_size = round(source_size * fit.ratio)
    terms = (
        fit.small * min(source_size, SPLIT)
        + fit.large * max(source_size - SPLIT, 0)
        + fit.compressed * compressed_size
    )
    if path.endswith("/__init__.py"):
        terms += fit.init
    inner = "/" + path.rpartition("/site-packages/")[2]  # folders below site-packages
    if "/tests/" in inner or "/test/" in inner or "/testing/" in inner:
        terms += fit.tests * source_size
    size = fit.empty + max(0, round(terms)) + path_bytes
    return PycEstimate(size, round(size * RELATIVE_ERROR))


def cache_tag(python_version: tuple[int, int]) -> str:
    """``cpython-312`` for CPython 3.12: the middle of a ``.pyc`` file's name."""
    major, minor = python_version
    return f"cpython-{major}{minor}"


# -- exact bytecode: compiling with the running interpreter ---------------------

PYC_HEADER = 16
"""Magic number, flags, source mtime and source size: four 32-bit words."""


def compile_pyc(
    source: bytes, dfile: str, *, mtime: int = 0, source_size: int | None = None
) -> bytes | None:
    """The ``.pyc`` pip writes for ``source`` installed at ``dfile``, or ``None``
    when it does not compile (pip then writes none).

    pip runs ``compileall.compile_file(path, force=True, quiet=True)``, that is
    ``py_compile.compile`` with the default optimisation and a timestamp-based
    header, and ``dfile`` the installed path (each code object's
    ``co_filename``). This is what ``py_compile`` does, without the files: the
    bytes are compiled as they are, so a PEP 263 coding line or a BOM decodes
    them as the interpreter would. ``mtime`` and ``source_size`` only fill the
    header (``source_size`` defaults to the source's length). Call it inside
    :func:`silenced` (pip silences compile warnings too)."""
    code = _compile(source, dfile)
    if code is None:
        return None
    size = len(source) if source_size is None else source_size
    header = importlib.util.MAGIC_NUMBER + b"\0\0\0\0"
    header += (mtime & 0xFFFFFFFF).to_bytes(4, "little")
    header += (size & 0xFFFFFFFF).to_bytes(4, "little")
    return header + marshal.dumps(code)


def compiled_size(source: bytes, dfile: str) -> int | None:
    """The size of :func:`compile_pyc`'s ``.pyc``, or ``None`` when ``source`` does
    not compile."""
    code = _compile(source, dfile)
    return None if code is None else PYC_HEADER + len(marshal.dumps(code))


def _compile(source: bytes, dfile: str) -> CodeType | None:
    try:
        # as importlib's source_to_code, with the optimisation of an interpreter
        # run without -O (pip's), whatever this one runs with
        return compile(source, dfile, "exec", dont_inherit=True, optimize=0)
    except Exception:  # SyntaxError, ValueError (null bytes), RecursionError...
        return None  # py_compile raises PyCompileError and compileall skips the file


PIP_IMPORT_BLOCKER = (26, 3)
"""From pip 26.3 on, pip blocks imports while it installs, and byte-compiles in
that state: a source whose coding line names a codec pip's process has not
imported yet fails to compile (``BlockedImportError``), and pip skips its
``.pyc``."""

PIP_CODECS = frozenset({"ascii", "cp437", "idna", "utf_8"})
"""The ``encodings`` modules pip 26.3 has imported when it byte-compiles (measured:
``utf_8`` and ``ascii`` at startup, ``cp437`` for zip member names, ``idna``
for its HTTP stack)."""

_NATIVE = frozenset(
    {"utf_8", "utf8", "utf_16", "utf16", "utf_32", "utf32", "ascii", "us_ascii"}
    | {"latin1", "latin_1", "iso_8859_1", "iso8859_1", "iso_latin_1"}
)
"""Encodings the tokenizer and ``PyUnicode_Decode`` handle without a codec lookup."""

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK = re.compile(rb"^[ \t\f]*(?:#.*)?\r?$")


def coding(source: bytes) -> str | None:
    """The encoding a PEP 263 coding line declares, read as the tokenizer does
    (line 1, or line 2 after a blank or comment line); ``None`` without one."""
    if source.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    lines = source.split(b"\n", 2)
    found = _COOKIE.match(lines[0])
    if found is None and len(lines) > 1 and _BLANK.match(lines[0]):
        found = _COOKIE.match(lines[1])
    return found.group(1).decode("ascii", "replace") if found else None


def pip_compiles(source: bytes, pip_version: tuple[int, int]) -> bool:
    """Whether the pip of ``pip_version`` gets as far as compiling ``source``: not,
    from :data:`PIP_IMPORT_BLOCKER` on, when its coding line needs a codec pip has
    not imported (``big5``, ``euc-jp``, ``cp1252``...)."""
    if tuple(pip_version) < PIP_IMPORT_BLOCKER:
        return True
    name = coding(source)
    if name is None:
        return True
    lowered = name.lower()
    normal = re.sub(r"[^0-9a-z.]+", "_", lowered).strip("_")
    if normal in _NATIVE or lowered.replace("_", "-").startswith(
        ("utf-8-", "latin-1-", "iso-8859-1-", "iso-latin-1-")
    ):
        return True  # the tokenizer decodes these itself
    key = encodings.normalize_encoding(lowered.replace("-", "_").replace(" ", "_"))
    module = aliases.get(key) or aliases.get(key.replace(".", "_")) or key
    return module in PIP_CODECS


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Compile-time warnings ignored, as pip does while it byte-compiles (a
    ``-W error`` would otherwise turn an invalid escape into a syntax error).
    The filter is the process's: enter it from the main thread, around any
    threads that compile."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
