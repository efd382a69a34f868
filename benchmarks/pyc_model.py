#!/usr/bin/env python3
"""Fit the ``.pyc`` size model of ``sizefloor/install/bytecode.py`` on real wheels.

sizefloor knows, for every ``.py`` member of a wheel, what its central
directory records: the uncompressed size, the compressed size and the name.
This script measures what each of those modules really compiles to, with
each interpreter it finds, and fits the per-version coefficients that
predict the ``.pyc`` size from those free features.

    python benchmarks/pyc_model.py                 # download, compile, fit, print
    python benchmarks/pyc_model.py --work DIR      # keep the corpus there (default: a temp dir)

1. **Corpus**: :data:`CORPUS`, pinned wheels for CPython 3.11 on
   manylinux x86_64: every package the accuracy cases resolve to
   (``benchmarks/cases/*.txt``, ``examples/*.txt``) and some eighty more,
   chosen to be varied (generated code, data tables, test suites, docstring
   heavy libraries, C-extension packages with thin Python layers).
   ``pip download --no-deps`` fetches them once into ``WORK/wheels``.
2. **Truth**: each interpreter of :data:`PYTHONS` that exists compiles every
   ``.py`` member exactly as pip does (``compile(source, dfile, "exec",
   dont_inherit=True)`` with the source's installed path as ``dfile``, then a
   16-byte header and ``marshal.dumps``; this is byte-for-byte what
   ``py_compile`` writes, see ``tests/test_bytecode.py``), in a subprocess
   fed straight from the wheels. Results are kept in ``WORK/compiled-X.Y.json``.
3. **Fit**: the prediction for a package is the sum of its modules'
   predictions, each a linear function of per-module features, so a
   package's prediction is linear in the coefficients too (each module is
   then held at least at an empty module's size, as sizefloor does). The
   coefficients minimise the sum of the packages' *absolute relative* errors
   (iteratively reweighted least squares on per-package feature sums): a
   median-like fit that the few packages no size predicts (generated data
   tables) do not drag. The candidate forms (:data:`CANDIDATES`) are compared
   by 10-fold cross-validation over *projects* (all versions of a project in
   the same fold): every package is predicted by a fit that never saw it.
   The simplest form whose mean held-out p90 (over the Python versions) is
   within :data:`PARSIMONY` of the lowest wins, one form for every version;
   its coefficients are then refitted per version on every package.
4. **Report**: per Python version, the old model (:data:`OLD_MODEL`, the
   coefficients before this fit) and the new one on the same held-out
   packages: p50 and p90 of the per-package |error| of the bytecode, the
   error of the corpus total, and how many packages the stated ± holds. The
   largest p90 is what ``bytecode.RELATIVE_ERROR`` states. Then the
   coefficients, to paste into ``sizefloor/install/bytecode.py``.

The fit needs no third-party package (the normal equations are solved here).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PYTHONS = {
    (3, 10): "/root/.pyenv/versions/3.10.13/bin/python",
    (3, 11): "/root/.pyenv/versions/3.11.7/bin/python",
    (3, 12): "/root/.pyenv/versions/3.12.1/bin/python",
    (3, 13): "/root/.pyenv/versions/3.13.0/bin/python",
}
"""Interpreters to compile with; a missing one is skipped, and ``pythonX.Y`` on
PATH is tried for it."""

PREFIX = "/usr/local"
FOLDS = 10
SEED = 20261128

CASE_PACKAGES = """
annotated-doc==0.0.7 annotated-types==0.8.0 anyio==4.16.0 asgiref==3.13.0 attrs==24.2.0
awscli==1.46.3 azure-core==1.41.0 azure-storage-blob==12.31.1 black==26.10.1 blinker==1.9.0
boto3==1.44.8 botocore==1.44.8 cachetools==8.0.2 certifi==2024.8.30 certifi==2026.10.19.post1
cffi==2.1.1 cfgv==3.5.0 charset-normalizer==3.4.0 charset-normalizer==3.5.3 click==8.5.1
cloudpickle==3.1.3 colorama==0.4.6 cryptography==50.0.2 distlib==0.4.4 django==5.2.19
docutils==0.18.1 docutils==0.19 fastapi==0.165.0 filelock==4.3.1 flask==3.1.0 flask==3.1.1
flatbuffers==25.12.19 google-api-core==2.44.0 google-auth==2.63.0 google-cloud-core==2.8.0
google-cloud-storage==3.17.1 google-crc32c==1.9.0 google-resumable-media==2.11.0
googleapis-common-protos==1.76.0 greenlet==3.5.6 gunicorn==23.0.0 gunicorn==27.0.1 h11==0.16.0
h2==4.4.1 hpack==4.2.0 httpcore==1.0.9 httptools==0.9.0 httpx==0.28.1 hyperframe==6.1.0
identify==2.6.20 idna==3.10 idna==3.20 isodate==0.7.2 itsdangerous==2.2.0 jinja2==3.1.6
jmespath==1.1.0 joblib==1.6.0 jupyterlab-widgets==3.0.17 markdown-it-py==3.0.0
markupsafe==3.0.4 mdurl==0.1.2 mypy-extensions==1.2.0 narwhals==2.29.0 nodeenv==1.12.0
numpy==2.1.3 numpy==2.4.6 onnxruntime==1.32.0 opentelemetry-api==1.45.2 packaging==26.4
pandas==2.2.3 pandas==3.1.1 pathspec==1.1.1 platformdirs==4.14.8 pluggy==1.7.0
pre-commit==4.7.0 proto-plus==1.29.0 protobuf==7.36.2 psycopg-binary==3.3.9 psycopg==3.3.9
pyasn1-modules==0.4.2 pyasn1==0.6.5 pybind11-global==3.1.0 pycparser==3.12
pydantic-core==2.50.5 pydantic==2.14.4 pygments==2.18.0 pyproject-api==1.12.1 pysocks==1.7.1
python-dateutil==2.9.0.post0 python-dateutil==4.0.0 python-discovery==1.9.6
python-dotenv==1.2.4 pytokens==0.4.1 pytz==2026.6 pyyaml==6.0.4 requests==2.32.3
requests==2.32.4 requests==2.34.2 rich==13.9.4 rsa==4.7.2 ruff==0.17.6 s3transfer==0.19.3
scikit-learn==1.5.2 scikit-learn==1.9.1 scipy==1.14.1 scipy==1.17.1 six==1.16.0 six==1.17.0
sqlalchemy==2.0.36 sqlalchemy==2.1.9 sqlparse==0.6.1 starlette==1.10.0 structlog==26.1.0
threadpoolctl==3.8.0 tomli-w==1.2.0 tox==4.67.15 typing-extensions==4.16.0
typing-inspection==0.4.5 tzdata==2026.6 urllib3==2.2.3 urllib3==2.8.0 uvicorn==0.54.0
uvloop==0.23.0 virtualenv==21.15.11 watchfiles==1.3.0 websockets==17.4 werkzeug==3.1.9
whitenoise==6.12.0 widgetsnbextension==4.0.16 zope-interface==8.7
"""
"""What the accuracy cases resolve to for CPython 3.11 on linux/amd64 (wheels only)."""

MORE_PACKAGES = """
unidecode==1.4.0 alembic==1.20.1 ansible-core==2.19.14 arrow==1.4.0 asn1crypto==1.5.1
astroid==4.3.4 attrs==26.1.0 azure-mgmt-compute==39.0.0 babel==2.19.0 beautifulsoup4==4.15.0
boltons==26.2.0 celery==5.7.0 chardet==7.7.0 dask==2026.8.0 dateparser==1.5.0 decorator==5.3.1
emoji==2.16.0 faker==40.63.0 flake8==7.5.0 fonttools==4.68.0 google-api-python-client==2.202.0
html5lib==1.1 hypothesis==6.170.17 ipython==9.18.1 isort==9.0.2 jedi==0.20.1 jsonschema==4.26.0
kombu==5.7.0 kubernetes==37.0.2 ldap3==2.9.1 mako==1.4.3 markdown==3.11.3 marshmallow==4.4.0
matplotlib==3.11.2 mistune==3.4.0 more-itertools==11.2.1 mpmath==1.4.1 nbformat==5.11.1
networkx==3.6.1 nltk==3.10.4 oauthlib==4.0.1 openai==3.57.0 openpyxl==3.1.5 paramiko==5.1.0
parso==0.8.7 phonenumbers==9.0.43 pip==26.3 prompt-toolkit==3.0.53 pycodestyle==2.15.0
pyflakes==4.1.0 pylint==4.1.4 pymongo==4.20.1 pyopenssl==26.4.0 pyparsing==3.3.3 pytest==9.2.0
redis==8.1.0 referencing==0.37.0 setuptools==84.2.1 simplejson==4.3.0 sortedcontainers==2.4.0
sphinx==9.0.4 sqlglot==30.30.0 statsmodels==0.15.0 stripe==16.1.0 sympy==1.14.0 tabulate==0.10.0
textual==8.2.8 toolz==1.2.0 tornado==6.6.1 tqdm==4.70.1 traitlets==5.16.1 transformers==5.24.0
twisted==26.10.0 typer==0.29.2 wheel==0.48.0 wrapt==2.5.2 xarray==2026.9.0 xlsxwriter==3.3.1
zeep==4.3.3
"""
"""More, for variety: generated API clients (kubernetes, azure-mgmt-compute,
stripe, openai), data-table modules (phonenumbers, faker, unidecode, emoji,
chardet, dateparser), large pure-Python code bases (sympy, ansible-core,
twisted, transformers, sqlglot), test-suite heavy packages and more."""

CORPUS = tuple(CASE_PACKAGES.split() + MORE_PACKAGES.split())

PIP_TARGET = [
    "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
    "--abi", "cp311", "--platform", "manylinux_2_28_x86_64", "--platform",
    "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64", "--platform", "any",
]  # fmt: skip

OLD_MODEL = {
    (3, 10): (93, 224.0, 0.8331),
    (3, 11): (109, 798.0, 1.3333),
    (3, 12): (97, 679.0, 1.2091),
    (3, 13): (97, 797.0, 1.1895),
}
"""(empty, intercept, slope) per version: the model before this fit."""


# -- the corpus -----------------------------------------------------------------


def download(work: Path) -> list[Path]:
    """The corpus wheels in ``WORK/wheels``, fetched with pip where missing."""
    wheels = work / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    have = {wheel_key(p.name): p for p in wheels.glob("*.whl")}
    missing = [pin for pin in CORPUS if pin_key(pin) not in have]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    while missing:
        # one version of a project per pip run: pip refuses two pins of one name
        batch = list({canonical(pin.partition("==")[0]): pin for pin in missing}.values())
        missing = [pin for pin in missing if pin not in batch]
        print(f"downloading {len(batch)} wheels into {wheels}", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--disable-pip-version-check", "-d", str(wheels), *PIP_TARGET, *batch],
            env=env, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            sys.exit("pyc_model.py: pip download failed")
    have = {wheel_key(p.name): p for p in wheels.glob("*.whl")}
    return sorted(have[pin_key(pin)] for pin in dict.fromkeys(CORPUS) if pin_key(pin) in have)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pin_key(pin: str) -> str:
    name, _, version = pin.partition("==")
    return f"{canonical(name)}=={version}"


def wheel_key(filename: str) -> str:
    name, version = filename.split("-")[:2]
    return f"{canonical(name)}=={version}"


@dataclass(frozen=True)
class Module:
    package: str
    """``name==version``."""
    project: str
    member: str
    path: str
    """Where pip installs it, absolute (the ``.pyc`` holds this path)."""
    size: int
    compressed: int


def modules_of(wheel: Path, python: tuple[int, int]) -> list[Module]:
    """The ``.py`` members of ``wheel`` pip compiles, at their installed paths."""
    site = f"{PREFIX}/lib/python{python[0]}.{python[1]}/site-packages"
    key = wheel_key(wheel.name)
    found: dict[str, Module] = {}
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or not name.endswith(".py"):
                continue
            top, _, rest = name.partition("/")
            if top.endswith(".data"):
                # pip compiles site-packages joined with the RECORD path, not
                # normalised: SITE/../../../bin/x.py (sizefloor.install.plan.compiled_path)
                scheme, _, inner = rest.partition("/")
                if scheme in ("headers",) or not inner:
                    continue
                outside = {"purelib": "", "platlib": "", "scripts": "../../../bin/"}
                path = f"{site}/{outside.get(scheme, '../../../')}{inner}"
            else:
                path = f"{site}/{name}"
            found[path] = Module(
                key, key.split("==")[0], name, path, info.file_size, info.compress_size
            )
    return list(found.values())


# -- compiling --------------------------------------------------------------------

WORKER = r"""
import importlib.util, json, marshal, sys, warnings, zipfile
warnings.simplefilter("ignore")
header = importlib.util.MAGIC_NUMBER + bytes(12)
out = {}
for wheel, members in json.load(sys.stdin):
    sizes = out.setdefault(wheel, {})
    with zipfile.ZipFile(wheel) as zf:
        for member, dfile in members:
            try:
                code = compile(zf.read(member), dfile, "exec", dont_inherit=True, optimize=0)
            except Exception:
                sizes[member] = None
                continue
            sizes[member] = len(header) + len(marshal.dumps(code))
json.dump(out, sys.stdout)
"""


def interpreter(version: tuple[int, int]) -> str | None:
    path = PYTHONS.get(version)
    if path and os.path.exists(path):
        return path
    return shutil.which(f"python{version[0]}.{version[1]}")


def compiled_sizes(
    work: Path, version: tuple[int, int], wheels: list[Path]
) -> dict[tuple[str, str], int | None] | None:
    """(wheel file name, member) -> ``.pyc`` size compiled by Python ``version``."""
    exe = interpreter(version)
    if exe is None:
        return None
    store = work / f"compiled-{version[0]}.{version[1]}.json"
    known: dict[str, dict[str, int | None]] = {}
    if store.exists():
        known = json.loads(store.read_text())
    todo = [w for w in wheels if w.name not in known]
    if todo:
        print(f"compiling {len(todo)} wheels with {exe}", file=sys.stderr)
        for start in range(0, len(todo), 20):
            batch = todo[start : start + 20]
            job = [[str(w), [[m.member, m.path] for m in modules_of(w, version)]] for w in batch]
            done = subprocess.run(
                [exe, "-I", "-c", WORKER],
                input=json.dumps(job), capture_output=True, text=True, check=True,
            )  # fmt: skip
            for wheel, sizes in json.loads(done.stdout).items():
                known[Path(wheel).name] = sizes
        store.write_text(json.dumps(known))
    return {(w, m): size for w, sizes in known.items() for m, size in sizes.items()}


# -- features and fitting -----------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One compiled module: its free features and its measured ``.pyc`` size."""

    package: str
    project: str
    name: str
    """The installed path below site-packages."""
    size: int
    compressed: int
    pyc: int
    path_bytes: int


FeatureSet = Callable[[Sample], list[float]]

SPLIT = 16 * 1024
"""Where the ``split`` candidates give a module's further bytes their own slope
(the large modules are the data tables)."""


PARSIMONY = 0.01
"""The simplest candidate whose mean held-out p90 is within this of the best wins."""


def _is_init(s: Sample) -> float:
    return 1.0 if s.name.rsplit("/", 1)[-1] == "__init__.py" else 0.0


def _in_tests(s: Sample) -> float:
    parts = s.name.split("/")[:-1]
    return 1.0 if any(p in ("tests", "test", "testing") for p in parts) else 0.0


# Every candidate: the features of a non-empty module (an empty one is a
# constant). The winner's are computed the same way by sizefloor/install/bytecode.py.
CANDIDATES: dict[str, FeatureSet] = {
    "size (the old form)": lambda s: [1.0, s.size],
    "size, compressed": lambda s: [1.0, s.size, s.compressed],
    "split size, compressed": lambda s: [
        1.0,
        min(s.size, SPLIT),
        max(s.size - SPLIT, 0),
        s.compressed,
    ],
    "size, compressed, __init__, tests/": lambda s: [
        1.0,
        s.size,
        s.compressed,
        _is_init(s),
        _in_tests(s) * s.size,
    ],
    "split size, __init__, tests/": lambda s: [
        1.0,
        min(s.size, SPLIT),
        max(s.size - SPLIT, 0),
        _is_init(s),
        _in_tests(s) * s.size,
    ],
    "split size, compressed, __init__, tests/": lambda s: [
        1.0,
        min(s.size, SPLIT),
        max(s.size - SPLIT, 0),
        s.compressed,
        _is_init(s),
        _in_tests(s) * s.size,
    ],
    "split size, compressed, __init__, tests/; empty-module intercept": lambda s: [
        min(s.size, SPLIT),
        max(s.size - SPLIT, 0),
        s.compressed,
        _is_init(s),
        _in_tests(s) * s.size,
    ],
    "split size, compressed, __init__, tests/, depth": lambda s: [
        1.0,
        min(s.size, SPLIT),
        max(s.size - SPLIT, 0),
        s.compressed,
        _is_init(s),
        _in_tests(s) * s.size,
        float(s.name.count("/")),
    ],
}


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """``a x = b`` by Gaussian elimination with partial pivoting (``a`` is small)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-300:
            raise ZeroDivisionError("singular system")
        for r in range(n):
            if r != col and m[r][col]:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


@dataclass
class Package:
    key: str
    project: str
    features: dict[str, list[float]]
    """Candidate -> the sum of its modules' features."""
    modules: dict[str, list[list[float]]]
    """Candidate -> each non-empty module's features."""
    empties: int
    nonempty: int
    truth: int
    """Sum of the compiled sizes, less the path each holds once."""
    path_bytes: int
    sizes: list[int]
    """Every module's size, for the old model."""


def packages_of(samples: list[Sample]) -> list[Package]:
    grouped: dict[str, list[Sample]] = {}
    for s in samples:
        grouped.setdefault(s.package, []).append(s)
    out = []
    for key, group in sorted(grouped.items()):
        features: dict[str, list[float]] = {}
        modules: dict[str, list[list[float]]] = {}
        for name, fn in CANDIDATES.items():
            modules[name] = [fn(s) for s in group if s.size]
            total = [0.0] * len(fn(group[0]))
            for f in modules[name]:
                total = [x + y for x, y in zip(total, f, strict=True)]
            features[name] = total
        truth = sum(s.pyc - s.path_bytes for s in group)
        if truth > 0:
            out.append(
                Package(
                    key,
                    group[0].project,
                    features,
                    modules,
                    sum(1 for s in group if s.size == 0),
                    sum(1 for s in group if s.size),
                    truth,
                    sum(s.path_bytes for s in group),
                    [s.size for s in group],
                )
            )
    return out


@dataclass(frozen=True)
class Fit:
    candidate: str
    empty: float
    coefficients: tuple[float, ...]

    def linear(self, p: Package) -> float:
        """The package's bytecode from the sums of its modules' features (what is fitted)."""
        return base(self.candidate, p, self.empty) + sum(
            c * f for c, f in zip(self.coefficients, p.features[self.candidate], strict=True)
        )

    def predict(self, p: Package) -> float:
        """The package's bytecode, each module at least an empty one's (as
        sizefloor/install/bytecode.py computes it: the linear terms can go below that
        for the smallest modules)."""
        start = self.empty if "empty-module intercept" in self.candidate else 0.0
        total = self.empty * p.empties
        for features in p.modules[self.candidate]:
            terms = sum(c * f for c, f in zip(self.coefficients, features, strict=True))
            total += max(self.empty, start + terms)
        return total


def base(candidate: str, p: Package, empty: float) -> float:
    """What the modules cost before the fitted terms: the empty modules, and every
    module for a candidate that takes the empty module's size as its intercept."""
    if "empty-module intercept" in candidate:
        return empty * (p.empties + p.nonempty)
    return empty * p.empties


def fit(candidate: str, packages: Sequence[Package], empty: float) -> Fit:
    """The coefficients that minimise the sum of the packages' absolute relative
    errors |prediction - truth| / truth: iteratively reweighted least squares
    (weights 1 / (truth² · |relative error|)), starting from plain relative least
    squares. The median-like fit is not dragged by the few packages no size
    predicts (generated data tables that compile to three times their source)."""
    k = len(packages[0].features[candidate])
    weights = [1.0 / (p.truth * p.truth) for p in packages]
    model = Fit(candidate, empty, (0.0,) * k)
    for _ in range(40):
        ata = [[0.0] * k for _ in range(k)]
        atb = [0.0] * k
        for p, w in zip(packages, weights, strict=True):
            y = p.truth - base(candidate, p, empty)
            x = p.features[candidate]
            for i in range(k):
                atb[i] += w * x[i] * y
                for j in range(k):
                    ata[i][j] += w * x[i] * x[j]
        for i in range(k):
            ata[i][i] = ata[i][i] * (1.0 + 1e-9) + 1e-30  # an all-zero feature stays solvable
        model = Fit(candidate, empty, tuple(solve(ata, atb)))
        weights = [
            1.0 / (p.truth * p.truth * max(abs(model.linear(p) - p.truth) / p.truth, 0.01))
            for p in packages
        ]
    return model


def folds_of(packages: list[Package]) -> list[list[Package]]:
    projects = sorted({p.project for p in packages})
    random.Random(SEED).shuffle(projects)
    fold_of = {name: i % FOLDS for i, name in enumerate(projects)}
    folds: list[list[Package]] = [[] for _ in range(FOLDS)]
    for p in packages:
        folds[fold_of[p.project]].append(p)
    return folds


def held_out(candidate: str, packages: list[Package], empty: float) -> dict[str, float]:
    """Package key -> the prediction of a fit that did not see its project."""
    out: dict[str, float] = {}
    folds = folds_of(packages)
    for i, fold in enumerate(folds):
        train = [p for j, f in enumerate(folds) if j != i for p in f]
        model = fit(candidate, train, empty)
        for p in fold:
            out[p.key] = model.predict(p)
    return out


def old_prediction(p: Package, version: tuple[int, int]) -> float:
    """The old model's bytecode for ``p``, without the paths (as ``p.truth``)."""
    empty, intercept, slope = OLD_MODEL.get(version, OLD_MODEL[max(OLD_MODEL)])
    return sum(empty if size == 0 else intercept + slope * size for size in p.sizes)


@dataclass(frozen=True)
class Score:
    p50: float
    p90: float
    total: float
    """The corpus total's relative error."""


def score(packages: list[Package], predicted: dict[str, float]) -> Score:
    errors = []
    truth_sum = predicted_sum = 0.0
    for p in packages:
        truth = p.truth + p.path_bytes
        guess = predicted[p.key] + p.path_bytes
        errors.append(abs(guess - truth) / truth)
        truth_sum += truth
        predicted_sum += guess
    errors.sort()
    return Score(percentile(errors, 0.5), percentile(errors, 0.9), predicted_sum / truth_sum - 1)


def within(packages: list[Package], predicted: dict[str, float], stated: float) -> int:
    """How many packages' truth lies within the stated ± of the prediction."""
    count = 0
    for p in packages:
        guess = predicted[p.key] + p.path_bytes
        count += abs(guess - (p.truth + p.path_bytes)) <= stated * guess
    return count


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    i = q * (len(values) - 1)
    lo, hi = math.floor(i), math.ceil(i)
    return values[lo] + (values[hi] - values[lo]) * (i - lo)


# -- main ------------------------------------------------------------------------------


def samples_for(
    version: tuple[int, int], wheels: list[Path], sizes: dict[tuple[str, str], int | None]
) -> list[Sample]:
    site = f"{PREFIX}/lib/python{version[0]}.{version[1]}/site-packages/"
    out = []
    for wheel in wheels:
        for m in modules_of(wheel, version):
            pyc = sizes.get((wheel.name, m.member))
            if pyc is None:
                continue  # does not compile with this version: pip writes no .pyc
            name = m.path[len(site) :] if m.path.startswith(site) else m.path
            out.append(
                Sample(m.package, m.project, name, m.size, m.compressed, pyc, len(m.path.encode()))
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--work", help="where to keep wheels and compiled sizes (default: temp)")
    parser.add_argument("--json", help="also write the fits and scores to this file")
    args = parser.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="sizefloor-pyc-"))
    work.mkdir(parents=True, exist_ok=True)
    wheels = download(work)
    print(f"{len(wheels)} wheels in {work}", file=sys.stderr)

    @dataclass
    class Version:
        label: str
        modules: int
        packages: list[Package]
        empty: float
        ratio: float
        old: dict[str, float]
        held: dict[str, dict[str, float]]

    versions: dict[tuple[int, int], Version] = {}
    for version in sorted(PYTHONS):
        sizes = compiled_sizes(work, version, wheels)
        label = f"{version[0]}.{version[1]}"
        if sizes is None:
            print(f"Python {label}: no interpreter, skipped", file=sys.stderr)
            continue
        samples = samples_for(version, wheels, sizes)
        packages = packages_of(samples)
        empties = sorted(s.pyc - s.path_bytes for s in samples if s.size == 0)
        ratios = sorted(s.compressed / s.size for s in samples if s.size)
        v = Version(
            label,
            len(samples),
            packages,
            float(empties[len(empties) // 2]) if empties else 0.0,
            percentile(ratios, 0.5),
            {p.key: old_prediction(p, version) for p in packages},
            {c: held_out(c, packages, float(empties[len(empties) // 2])) for c in CANDIDATES},
        )
        versions[version] = v
        print(f"Python {label}: {v.modules:,} modules, {len(packages)} packages", file=sys.stderr)
    if not versions:
        sys.exit("pyc_model.py: no interpreter to compile with")

    # one form for every version (the lowest mean held-out p90), fitted per version
    print("\nHeld-out per-package |error| of the bytecode, by candidate:\n")
    mean_p90: dict[str, float] = {}
    for candidate in CANDIDATES:
        scores = {k: score(v.packages, v.held[candidate]) for k, v in versions.items()}
        mean_p90[candidate] = sum(s.p90 for s in scores.values()) / len(scores)
        print(
            f"  {candidate:50} "
            + "  ".join(
                f"{versions[k].label}: p50 {s.p50:5.1%} p90 {s.p90:5.1%}" for k, s in scores.items()
            )
        )
    # the simplest candidate (fewest features) within a point of the best one:
    # a feature that buys less than that is more likely fitted to this corpus
    lowest = min(mean_p90.values())
    best = min(
        (c for c in CANDIDATES if mean_p90[c] <= lowest + PARSIMONY),
        key=lambda c: (len(next(iter(versions.values())).packages[0].features[c]), mean_p90[c]),
    )
    print(f"\nChosen: {best} (mean held-out p90 {mean_p90[best]:.1%}, best {lowest:.1%})\n")

    rows: list[list[str]] = []
    results: dict[str, object] = {}
    code: list[str] = []
    stated = 0.0
    for v in versions.values():
        new = score(v.packages, v.held[best])
        stated = max(stated, math.ceil(new.p90 * 100) / 100)
    for version, v in versions.items():
        old = score(v.packages, v.old)
        new = score(v.packages, v.held[best])
        n = len(v.packages)
        rows.append([v.label, str(n), f"{v.modules:,}", "old", f"{old.p50:.1%}", f"{old.p90:.1%}",
                     f"{old.total:+.1%}", f"{within(v.packages, v.old, 0.15)}/{n} in ±15%"])  # fmt: skip
        rows.append([v.label, str(n), f"{v.modules:,}", "new (held out)", f"{new.p50:.1%}",
                     f"{new.p90:.1%}", f"{new.total:+.1%}",
                     f"{within(v.packages, v.held[best], stated)}/{n} in ±{stated:.0%}"])  # fmt: skip
        final = fit(best, v.packages, v.empty)
        code.append(
            f"    ({version[0]}, {version[1]}): Coefficients({round(v.empty)}, "
            + ", ".join(f"{c:.6g}" for c in final.coefficients)
            + f", ratio={v.ratio:.3f}),"
        )
        results[v.label] = {
            "modules": v.modules,
            "packages": n,
            "empty": v.empty,
            "ratio": v.ratio,
            "coefficients": final.coefficients,
            "old": old.__dict__,
            "new": new.__dict__,
            "per_package": {
                p.key: [p.truth + p.path_bytes, v.held[best][p.key] + p.path_bytes,
                        v.old[p.key] + p.path_bytes]
                for p in v.packages
            },
        }  # fmt: skip

    header = ["Python", "packages", "modules", "model", "p50 |error|", "p90 |error|",
              "corpus total", "truth within the stated ±"]  # fmt: skip
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    print(
        "\nnew (held out): each package predicted by a fit on the projects of the other "
        f"{FOLDS - 1} folds. Stated ±: {stated:.2f} (the largest held-out p90)."
    )
    print(f"\nCoefficients ({best}; refitted on every package):")
    print("\n".join(code))
    if args.json:
        results["chosen"] = best
        results["stated"] = stated
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
