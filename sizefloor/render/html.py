"""The report as one self-contained HTML page.

Everything is inline: the CSS, the data (JSON in a ``<script>`` element) and
the JavaScript that draws the treemap and computes the totals from that data.
The page loads nothing: a Content-Security-Policy forbids it, so it renders the
same offline, attached to a CI run or opened from a file.

What is on it: the totals and each top-level requirement's unique bytes
(computed by the page's script from the packages, and checked against the
report's own figures), a squarified treemap of the packages and their largest
folders, the package table, the findings, and the largest files when asked.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from sizefloor.analysis.findings import display_path, folders, savings
from sizefloor.analysis.graph import DependencyGraph
from sizefloor.analysis.summary import findings_of
from sizefloor.render.table import bytecode_line
from sizefloor.report import Finding, Report, largest_files
from sizefloor.units import human

FOLDERS_PER_PACKAGE = 8
"""Folders drawn inside each package's rectangle; the rest are one "other" box."""


def page_data(report: Report, *, top: int = 0) -> dict[str, Any]:
    """What the page's script reads: packages (with their largest folders), the
    top-level requirements, the totals."""
    graph = DependencyGraph.from_packages(report.packages)
    attribution = graph.attribution()
    packages = []
    for p in report.packages:
        parts = folders(p)
        shown = parts[:FOLDERS_PER_PACKAGE]
        rest = sum(b for _, b in parts[FOLDERS_PER_PACKAGE:])
        boxes = [{"name": name, "bytes": b} for name, b in shown if b > 0]
        if rest > 0:
            boxes.append({"name": f"{len(parts) - len(shown)} other folders", "bytes": rest})
        packages.append(
            {
                "name": p.name,
                "version": p.version,
                "bytes": p.installed_bytes,
                "files": p.files,
                "download": p.download_bytes,
                "exact": p.exact,
                "folders": boxes,
            }
        )
    found = findings_of(report)
    return {
        "packages": packages,
        "requirements": [
            {"name": graph.nodes[r].name, "unique": attribution.unique[r]} for r in graph.roots
        ],
        "shared": attribution.shared,
        "unattached": attribution.unattached,
        "totals": report.totals.to_json(),
        "savings": savings(found),
        "largest": [f.to_json() for f in largest_files(report.packages, top)],
        "floor": report.floor.installed_bytes if report.runtime is not None else None,
        "runtime": _runtime_data(report),
    }


def _runtime_data(report: Report) -> dict[str, Any] | None:
    """The runtime the treemap draws as a block of its own, beside the packages."""
    runtime = report.runtime
    if runtime is None:
        return None
    return {
        "name": runtime.base,
        "image": runtime.image,
        "python": runtime.python,
        "bytes": runtime.installed_bytes,
        "exact": runtime.exact,
    }


def render_html(report: Report, *, top: int = 0) -> str:
    """The whole page, as text."""
    data = page_data(report, top=top)
    found = findings_of(report)
    t = report.totals
    target = report.target
    where = (
        f"Python {target.get('python')} on {target.get('platform')} "
        f"({target.get('libc')} {target.get('libc_version')})"
    )
    title = f"sizefloor: {human(t.installed_bytes)} for {where}"
    if report.runtime is not None:
        title = (
            f"sizefloor: floor {human(report.floor.installed_bytes)} "
            f"({report.runtime.base} + {len(report.packages)} packages) for {where}"
        )
    payload = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    body = [
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f"<p class=sub>{_e(', '.join(report.sources))} · "
        f"{'with' if report.compile_bytecode else 'without'} bytecode · "
        f"sizefloor {_e(report.sizefloor_version)}</p>",
        "</header>",
        _cards(report.runtime is not None),
        "<section><h2>Where the bytes are</h2>",
        '<svg id=treemap viewBox="0 0 1160 540" role=img aria-label="treemap of the packages">'
        "</svg>",
        "<p class=note>Each rectangle is a package, its area its installed bytes; "
        "inside, its largest folders"
        + ("; the grey one is the Python runtime under them" if report.runtime else "")
        + ". Hover for exact figures.</p></section>",
        _requirements(report),
        _table(report),
        _findings(found, report.totals.installed_bytes),
        _largest(report, top),
        _notes(report),
        f"<script type=application/json id=sizefloor-data>{payload}</script>",
        f"<script>{_SCRIPT}</script>",
    ]
    return (
        "<!doctype html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        '<meta name=viewport content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cards(floor: bool) -> str:
    cards = [("total-floor", "floor: runtime and packages")] if floor else []
    cards += [
        ("total-installed", "installed"),
        ("total-packages", "packages"),
        ("total-files", "files"),
        ("total-download", "to download"),
        ("total-savings", "could go (findings)"),
    ]
    inner = "".join(
        f"<div class=card><div class=value id={ident}>…</div><div class=label>{label}</div></div>"
        for ident, label in cards
    )
    return f"<section class=cards>{inner}</section><p class=check id=consistency></p>"


def _requirements(report: Report) -> str:
    graph = DependencyGraph.from_packages(report.packages)
    if not graph.roots:
        return ""
    return (
        "<section><h2>What dropping a requirement saves</h2>"
        "<p class=note>The bytes of the packages only that requirement pulls in; "
        "a package two requirements share belongs to neither.</p>"
        "<table id=requirements><thead><tr><th>requirement</th><th class=n>unique</th>"
        "<th class=n>with dependencies</th></tr></thead><tbody>"
        + "".join(
            f"<tr><td>{_e(graph.nodes[r].name)}</td><td class=n>…</td>"
            f"<td class=n>{human(graph.reachable_bytes(r))}</td></tr>"
            for r in graph.roots
        )
        + "</tbody></table></section>"
    )


def _table(report: Report) -> str:
    total = report.totals.installed_bytes
    rows = []
    for p in report.packages:
        share = f"{100 * p.installed_bytes / total:.1f}%" if total else "-"
        width = f"{100 * p.installed_bytes / total:.2f}" if total else "0"
        rows.append(
            f"<tr><td>{_e(p.name)}{'' if p.exact else ' ~'}</td><td>{_e(p.version)}</td>"
            f'<td class=n title="{p.installed_bytes:,} bytes">{human(p.installed_bytes)}</td>'
            f"<td class=n>{p.files:,}</td>"
            f'<td class=bar><span class=fill style="width:{width}%"></span>'
            f"<span class=pct>{share}</span></td>"
            f"<td class=n>{human(p.download_bytes)}</td></tr>"
        )
    t = report.totals
    return (
        "<section><h2>Packages</h2><table id=packages><thead><tr><th>package</th>"
        "<th>version</th><th class=n>installed</th><th class=n>files</th><th>share</th>"
        "<th class=n>download</th></tr></thead><tbody>"
        + "".join(rows)
        + f"</tbody><tfoot><tr><td>total</td><td></td><td class=n>{human(t.installed_bytes)}"
        f"</td><td class=n>{t.files:,}</td><td></td><td class=n>{human(t.download_bytes)}"
        "</td></tr></tfoot></table></section>"
    )


def _findings(found: Sequence[Finding], total: int) -> str:
    if not found:
        return ""
    saved = savings(found)
    share = f" ({100 * saved / total:.1f}%)" if total else ""
    items = []
    for f in found:
        where = ", ".join(f"{_e(name)} {human(b)}" for name, b in f.packages[:5])
        paths = "".join(f"<li><code>{_e(path)}</code> {human(b)}</li>" for path, b in f.paths[:5])
        items.append(
            f"<li class={'saving' if f.saving else 'advice'}>"
            f'<span class=bytes title="{f.bytes:,} bytes">{human(f.bytes)}</span> '
            f"<strong>{_e(f.title)}</strong> <span class=where>{where}</span>"
            f"<div class=remedy>{_code_spans(f.remedy)}</div><ul class=paths>{paths}</ul></li>"
        )
    return (
        f"<section><h2>Findings: {human(saved)}{share} could go</h2>"
        "<p class=note>Read from the wheels' file lists. Greyed: advice, whose bytes "
        "are not counted in the total.</p>"
        f"<ol id=findings>{''.join(items)}</ol></section>"
    )


def _code_spans(text: str) -> str:
    """``text`` escaped, its `backquoted` parts as code."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: leave the quotes as they are
        return _e(text)
    return "".join(
        f"<code>{_e(part)}</code>" if i % 2 else _e(part) for i, part in enumerate(parts)
    )


def _largest(report: Report, top: int) -> str:
    files = largest_files(report.packages, top)
    if not files:
        return ""
    rows = "".join(
        f"<tr><td class=n>{human(f.size)}</td><td>{_e(f.package)}</td>"
        f"<td><code>{_e(display_path(f.path))}</code></td></tr>"
        for f in files
    )
    return (
        f"<section><h2>The {len(files)} largest files</h2><table id=largest><thead><tr>"
        "<th class=n>size</th><th>package</th><th>file</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _notes(report: Report) -> str:
    notes = [f"not sized: {u.requirement} ({u.origin}): {u.reason}" for u in report.unsized]
    notes += list(report.warnings)
    if report.compile_bytecode:
        notes.append(bytecode_line(report))
    if not notes:
        return ""
    return "<footer><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul></footer>"


_STYLE = """
:root{--fg:#1d2330;--muted:#5d6678;--line:#e3e6ec;--bg:#f7f8fa;--accent:#2f6fdb}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1220px;padding:24px 30px 40px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.sub,.note{color:var(--muted);margin:0 0 8px}.check{color:var(--muted);font-size:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;
min-width:170px;flex:1}
.card .value{font-size:24px;font-weight:650}.card .label{color:var(--muted)}
#treemap{width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:8px}
#treemap text{pointer-events:none;font-size:11px;fill:#fff}
#treemap .pkg-label{font-size:13px;font-weight:650}
#treemap rect{stroke:#fff;stroke-width:1}
table{border-collapse:collapse;background:#fff;width:100%;border:1px solid var(--line)}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:#eef1f5;font-weight:600}.n{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-weight:650}
td.bar{position:relative;min-width:140px}
td.bar .fill{position:absolute;left:0;top:5px;bottom:5px;background:#dbe6fb}
td.bar .pct{position:relative}
#findings{background:#fff;border:1px solid var(--line);border-radius:8px;
padding:10px 10px 10px 40px}
#findings>li{margin:8px 0}#findings .bytes{font-weight:650;display:inline-block;min-width:70px}
#findings .where{color:var(--muted)}#findings .advice{color:var(--muted)}
.remedy{font-size:13px;margin-top:2px}.paths{margin:2px 0;color:var(--muted);font-size:12px}
code{font:12px ui-monospace,"DejaVu Sans Mono",monospace}
footer{margin-top:24px;color:var(--muted);font-size:12px}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sizefloor-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";

  function human(n) {
    var units = ["B", "kB", "MB", "GB", "TB"], v = n, i = 0;
    while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    if (i === 0) return Math.round(v) + " B";
    return (Math.abs(v) < 100 ? v.toFixed(1) : v.toFixed(0)) + " " + units[i];
  }
  function sum(items, key) {
    return items.reduce(function (a, it) { return a + it[key]; }, 0);
  }
  function set(id, text, bytes) {
    var el = document.getElementById(id);
    if (!el) return;
    el.textContent = text;
    if (bytes !== undefined) el.setAttribute("data-bytes", String(bytes));
  }

  // -- totals, computed here from the packages --------------------------------
  var installed = sum(data.packages, "bytes");
  var files = sum(data.packages, "files");
  var download = sum(data.packages, "download");
  set("total-installed", human(installed), installed);
  set("total-packages", String(data.packages.length), data.packages.length);
  set("total-files", files.toLocaleString("en-US"), files);
  set("total-download", human(download), download);
  set("total-savings", human(data.savings), data.savings);
  if (data.floor !== null) set("total-floor", human(data.floor), data.floor);
  var unique = sum(data.requirements, "unique");
  var parts = unique + data.shared + data.unattached;
  var agrees = installed === data.totals.installed_bytes && parts === installed;
  set("consistency", (agrees ? "✓ " : "✗ ") + "the packages add up to " +
      installed.toLocaleString("en-US") + " bytes; unique to a requirement " + human(unique) +
      " + shared " + human(data.shared) +
      (data.unattached ? " + unattached " + human(data.unattached) : "") +
      " = " + human(parts));
  document.getElementById("consistency").setAttribute("data-consistent", String(agrees));
  var rows = document.querySelectorAll("#requirements tbody tr");
  data.requirements.forEach(function (r, i) {
    if (rows[i]) {
      rows[i].children[1].textContent = human(r.unique);
      rows[i].children[1].setAttribute("data-bytes", String(r.unique));
    }
  });

  // -- squarified treemap (Bruls, Huizing, van Wijk) ----------------------------
  function worst(row, side, scale) {
    var s = 0, max = 0, min = Infinity;
    row.forEach(function (it) {
      var v = it.value * scale; s += v; if (v > max) max = v; if (v < min) min = v;
    });
    return Math.max(side * side * max / (s * s), (s * s) / (side * side * min));
  }
  function squarify(items, x, y, w, h) {
    var out = [], rest = items.filter(function (it) { return it.value > 0; });
    var total = sum(rest, "value");
    if (!total || w <= 0 || h <= 0) return out;
    var scale = (w * h) / total;
    while (rest.length) {
      var side = Math.min(w, h), row = [], best = Infinity, i = 0;
      while (i < rest.length) {
        var trial = row.concat([rest[i]]), score = worst(trial, side, scale);
        if (row.length && score > best) break;
        row = trial; best = score; i++;
      }
      rest = rest.slice(row.length);
      var area = sum(row, "value") * scale, thick = area / side, off = 0;
      row.forEach(function (it) {
        var len = (it.value * scale) / thick;
        if (w >= h) out.push({ item: it, x: x, y: y + off, w: thick, h: len });
        else out.push({ item: it, x: x + off, y: y, w: len, h: thick });
        off += len;
      });
      if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
    }
    return out;
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    parent.appendChild(node);
    return node;
  }
  function label(parent, text, x, y, w, cls) {
    var max = Math.floor((w - 8) / 6.5);
    if (max < 3) return;
    if (text.length > max) text = text.slice(0, max - 1) + "…";
    var t = el("text", { x: x + 4, y: y, "class": cls || "" }, parent);
    t.textContent = text;
  }
  var svg = document.getElementById("treemap");
  var W = 1160, H = 540, PAD = 2, HEAD = 20;
  var hues = [214, 152, 28, 280, 352, 190, 45, 250, 100, 320, 10, 170];
  var items = data.packages.map(function (p) { return { value: p.bytes, pkg: p }; });
  if (data.runtime !== null) items.push({ value: data.runtime.bytes, runtime: data.runtime });
  items.sort(function (a, b) { return b.value - a.value; });
  var boxes = squarify(items, 0, 0, W, H);
  var drawn = 0;
  boxes.forEach(function (box, i) {
    if (box.item.runtime) {
      var rt = box.item.runtime;
      var rg = el("g", { "class": "runtime", "data-name": rt.name, "data-bytes": rt.bytes }, svg);
      var rr = el("rect", { x: box.x, y: box.y, width: Math.max(box.w, 0),
        height: Math.max(box.h, 0), fill: "hsl(220,8%,55%)" }, rg);
      el("title", {}, rr).textContent = "runtime " + rt.name + (rt.python ? ", CPython " +
        rt.python : "") + ": " + (rt.exact ? "" : "~") + human(rt.bytes) + " (" +
        rt.bytes.toLocaleString("en-US") + " bytes)";
      if (box.h > 14) {
        label(rg, "runtime: " + rt.name + " " + human(rt.bytes), box.x, box.y + 14, box.w,
          "pkg-label");
      }
      return;
    }
    drawn += 1;
    var p = box.item.pkg, hue = hues[i % hues.length];
    var g = el("g", { "class": "package", "data-name": p.name, "data-bytes": p.bytes }, svg);
    var r = el("rect", { x: box.x, y: box.y, width: Math.max(box.w, 0),
      height: Math.max(box.h, 0), fill: "hsl(" + hue + ",52%,38%)" }, g);
    el("title", {}, r).textContent = p.name + " " + p.version + ": " + human(p.bytes) +
      " (" + p.bytes.toLocaleString("en-US") + " bytes, " + p.files + " files)";
    var head = box.h > 34 && box.w > 40 ? HEAD : 0;
    if (box.h > 14) {
      label(g, p.name + " " + human(p.bytes), box.x, box.y + 14, box.w, "pkg-label");
    }
    if (!head) return;
    var inner = squarify(p.folders.map(function (f) { return { value: f.bytes, f: f }; }),
      box.x + PAD, box.y + head, box.w - 2 * PAD, box.h - head - PAD);
    inner.forEach(function (fb, j) {
      var light = 48 + (j % 4) * 7;
      var fr = el("rect", { x: fb.x, y: fb.y, width: Math.max(fb.w, 0),
        height: Math.max(fb.h, 0), fill: "hsl(" + hue + ",45%," + light + "%)",
        "class": "folder" }, g);
      el("title", {}, fr).textContent = p.name + ": " + fb.item.f.name + " " +
        human(fb.item.f.bytes) + " (" + fb.item.f.bytes.toLocaleString("en-US") + " bytes)";
      if (fb.h > 28 && fb.w > 50) {
        label(g, fb.item.f.name, fb.x, fb.y + 13, fb.w);
        label(g, human(fb.item.f.bytes), fb.x, fb.y + 26, fb.w);
      }
    });
  });
  svg.setAttribute("data-rendered", String(drawn));
})();
"""


__all__ = ["page_data", "render_html"]
