#!/usr/bin/env python3
"""What the known lighter variants save, measured on pinned versions from the default index.

For each pair of ``sizefloor/analysis/data/variants.json`` that the default index carries, this
estimates the heavy requirement (with ``numpy`` where the package needs it, pinned), reads the
``variant`` finding sizefloor adds, and estimates the light one on its own as a check: one table
comes out, the finding's saving beside the difference of the two estimates (they must agree).

    python benchmarks/variants.py                    # Python 3.12, linux/amd64, with bytecode
    python benchmarks/variants.py --platform linux/arm64 --no-compile

It reads the public default index (pip's own default, read from the installed pip; this
machine's pip configuration is not used).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sizefloor
from sizefloor.inputs.pipconfig import default_index_url
from sizefloor.units import human

CASES = [
    (
        ["opencv-python==4.10.0.84", "numpy==2.0.0"],
        ["opencv-python-headless==4.10.0.84", "numpy==2.0.0"],
    ),
    (
        ["opencv-contrib-python==4.10.0.84", "numpy==2.0.0"],
        ["opencv-contrib-python-headless==4.10.0.84", "numpy==2.0.0"],
    ),
    (["tensorflow==2.17.0"], ["tensorflow-cpu==2.17.0"]),
    (["uvicorn[standard]==0.30.6"], ["uvicorn==0.30.6"]),
    (["psycopg[binary]==3.2.1"], ["psycopg==3.2.1"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="3.12")
    parser.add_argument("--platform", default="linux/amd64")
    parser.add_argument("--no-compile", action="store_true")
    args = parser.parse_args()
    index = default_index_url()
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        common = dict(
            python=args.python,
            platform=args.platform,
            index_url=index,
            use_pip_config=False,
            base="none",
            compile_bytecode=not args.no_compile,
            cache_dir=cache,
        )
        for heavy_reqs, light_reqs in CASES:
            heavy = sizefloor.estimate(heavy_reqs, **common)
            light = sizefloor.estimate(light_reqs, alternatives=False, **common)
            found = (
                [f for f in heavy.analysis.findings if f.kind == "variant"]
                if heavy.analysis
                else []
            )
            finding = found[0].bytes if found else None
            rows.append(
                (
                    heavy_reqs[0],
                    light_reqs[0],
                    heavy.totals.installed_bytes,
                    light.totals.installed_bytes,
                    finding,
                )
            )
    print(
        f"Python {args.python}, {args.platform}, {'without' if args.no_compile else 'with'} bytecode; the default index\n"
    )
    print(
        "| requirement | lighter variant | installed | lighter | saved (difference) | saved (finding) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for heavy, light, a, b, finding in rows:
        shown = f"{finding:,}" if finding is not None else "none"
        print(f"| `{heavy}` | `{light}` | {human(a)} | {human(b)} | {a - b:,} | {shown} |")
    return 0 if all(f == a - b for _, _, a, b, f in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
