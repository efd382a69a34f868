"""``sizefloor context`` output: a :class:`~sizefloor.context.measure.Context` as text or JSON.

Each renderer returns text; nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sizefloor.context.measure import Context
from sizefloor.units import human

JSON_SCHEMA_VERSION = 1


def render_context(context: Context, fmt: str, *, with_paths: bool = False) -> str:
    if fmt == "json":
        payload = {"schema_version": JSON_SCHEMA_VERSION, **context.to_json(with_paths=with_paths)}
        return json.dumps(payload, indent=2) + "\n"
    return render_context_table(context, with_paths=with_paths)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def render_context_table(context: Context, *, with_paths: bool = False) -> str:
    sent = context.sent_bytes
    out = [f"Build context {context.directory}"]
    if context.ignore_file:
        out.append(f"ignore file: {context.ignore_file} ({len(context.patterns)} patterns)")
    else:
        out.append("no .dockerignore: everything is sent")
    excluded = context.total_bytes - sent
    out.append(
        f"docker build sends {human(sent)} ({sent:,} bytes) in {context.sent_files:,} files; "
        f".dockerignore keeps out {human(excluded)} in "
        f"{context.total_files - context.sent_files:,} files"
    )
    out.append("")
    if context.folders:
        out.append("Largest folders sent")
        rows = [(p + "/", f"{b:,}", human(b), _pct(b, sent)) for p, b in context.folders]
        out += _table(("folder", "bytes", "size", "share"), rows, {1, 2, 3})
        out.append("")
    if context.largest_files:
        out.append("Largest files sent")
        rows = [(p, f"{b:,}", human(b), _pct(b, sent)) for p, b in context.largest_files]
        out += _table(("file", "bytes", "size", "share"), rows, {1, 2, 3})
        out.append("")
    if context.proposals:
        out.append("Proposed .dockerignore lines (each measured appended to the current file)")
        proposals = [
            (p.line, p.reason, f"{p.saves_bytes:,}", human(p.saves_bytes), f"{p.saves_files:,}")
            for p in context.proposals
        ]
        out += _table(("line", "what", "saves bytes", "size", "files"), proposals, {2, 3, 4})
        out.append(
            f"all together they save {human(context.together_saves_bytes)} "
            f"({context.together_saves_bytes:,} bytes, {_pct(context.together_saves_bytes, sent)}"
            " of what is sent); check that no COPY needs what they exclude"
        )
    else:
        out.append("No usual offenders (.git, virtual environments, caches, data, node_modules).")
    if with_paths:
        out.append("")
        out.append("Files sent")
        out += [f"{size:>14,}  {path}" for path, size in context.sent]
    return "\n".join(out).rstrip() + "\n"
