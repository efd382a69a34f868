"""Tests for sizefloor.inputs.pipconfig: pip's configuration, read without pip.

Every test but the last runs on a fake machine under tmp_path (global, user and site
files moved there, a controlled environ), so the real machine's pip configuration
does not matter.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from sizefloor.errors import SizefloorError
from sizefloor.inputs import pipconfig
from sizefloor.inputs.pipconfig import IndexSettings, default_index_url, load_index_settings

MIRROR = "https://mirror.example.invalid/simple/"
OTHER = "https://other.example.invalid/simple/"


@dataclass
class Machine:
    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def xdg_global(self) -> Path:
        return self.root / "etc" / "xdg" / "pip" / "pip.conf"

    @property
    def etc(self) -> Path:
        return self.root / "etc" / "pip.conf"

    @property
    def user_legacy(self) -> Path:
        return self.home / ".pip" / "pip.conf"

    @property
    def user(self) -> Path:
        return self.home / ".config" / "pip" / "pip.conf"

    @property
    def site(self) -> Path:
        return self.root / "venv" / "pip.conf"

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def load(self, *, isolated: bool = False, **extra: str) -> IndexSettings:
        return load_index_settings(environ={**self.env, **extra}, isolated=isolated)


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Machine]:
    fake = Machine(tmp_path)
    fake.home.mkdir()
    (tmp_path / "venv").mkdir()
    monkeypatch.setattr(pipconfig, "_SYSTEM_CONFIG_DIR", str(tmp_path / "etc"))
    monkeypatch.setattr(pipconfig, "_DEFAULT_XDG_CONFIG_DIRS", (str(tmp_path / "etc" / "xdg"),))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    fake.env = {"HOME": str(fake.home), "PATH": os.environ.get("PATH", "")}
    yield fake


def _all_text(settings: IndexSettings) -> str:
    return "\n".join(settings.provenance + settings.warnings)


# ------------------------------------------------------------------------------ file order


def _files_in_order(m: Machine) -> list[Path]:
    return [m.xdg_global, m.etc, m.user_legacy, m.user, m.site]


@pytest.mark.parametrize("count", range(1, 6))
def test_later_files_override_earlier(machine: Machine, count: int) -> None:
    files = _files_in_order(machine)[:count]
    for number, path in enumerate(files):
        machine.write(path, f"[global]\nindex-url = https://n{number}.example.invalid/simple/\n")
    settings = machine.load()
    assert settings.index_url == f"https://n{count - 1}.example.invalid/simple/"
    assert settings.provenance == (f"index-url = {settings.index_url} (from {files[-1]} [global])",)


def test_pip_config_file_comes_last_and_hides_user_files(machine: Machine) -> None:
    for number, path in enumerate(_files_in_order(machine)):
        machine.write(
            path,
            f"[global]\nindex-url = https://n{number}.example.invalid/simple/\n"
            f"timeout = {number}\n",
        )
    machine.write(
        machine.user, "[global]\nretries = 9\nindex-url = https://user.example.invalid/\n"
    )
    machine.write(machine.site, "[global]\ntimeout = 4\n")
    env_file = machine.write(machine.root / "custom.conf", f"[global]\nindex-url = {MIRROR}\n")
    settings = machine.load(PIP_CONFIG_FILE=str(env_file))
    assert settings.index_url == MIRROR
    assert settings.timeout == 4.0  # the site file still counts
    assert settings.retries is None  # the user file does not
    assert f"(from {env_file} [global])" in settings.provenance[0]


def test_pip_config_file_that_does_not_exist_keeps_user_files(machine: Machine) -> None:
    machine.write(machine.user, f"[global]\nindex-url = {MIRROR}\n")
    settings = machine.load(PIP_CONFIG_FILE=str(machine.root / "missing.conf"))
    assert settings.index_url == MIRROR


def test_pip_config_file_devnull_loads_no_file(machine: Machine) -> None:
    for path in (*_files_in_order(machine), machine.root / "custom.conf"):
        machine.write(path, f"[global]\nindex-url = {OTHER}\nconstraint = /c.txt\n")
    settings = machine.load(PIP_CONFIG_FILE=os.devnull, PIP_EXTRA_INDEX_URL=MIRROR)
    assert settings.index_url is None  # nothing configured: pip's default applies
    assert settings.extra_index_urls == (MIRROR,)  # environment variables still apply
    assert settings.warnings == ()


def test_xdg_config_dirs(machine: Machine) -> None:
    first = machine.write(
        machine.root / "a" / "pip" / "pip.conf", f"[global]\nindex-url = {OTHER}\n"
    )
    second = machine.write(
        machine.root / "b" / "pip" / "pip.conf", f"[global]\nindex-url = {MIRROR}\nretries = 2\n"
    )
    ignored = machine.write(machine.xdg_global, "[global]\nretries = 7\n")
    dirs = os.pathsep.join([str(first.parent.parent), "relative/dir", f" {second.parent.parent} "])
    settings = machine.load(XDG_CONFIG_DIRS=dirs)
    assert settings.index_url == MIRROR
    assert settings.retries == 2  # the default /etc/xdg is not read when XDG_CONFIG_DIRS is set
    assert str(ignored) not in _all_text(settings)
    # /etc/pip.conf comes after every XDG directory.
    machine.write(machine.etc, "[global]\nindex-url = https://etc.example.invalid/\n")
    assert machine.load(XDG_CONFIG_DIRS=dirs).index_url == "https://etc.example.invalid/"


def test_xdg_config_home_moves_the_user_file(machine: Machine) -> None:
    machine.write(machine.user_legacy, f"[global]\nindex-url = {OTHER}\nretries = 3\n")
    machine.write(machine.user, "[global]\nindex-url = https://ignored.example.invalid/\n")
    config_home = machine.root / "config"
    machine.write(config_home / "pip" / "pip.conf", f"[global]\nindex-url = {MIRROR}\n")
    settings = machine.load(XDG_CONFIG_HOME=str(config_home))
    assert settings.index_url == MIRROR
    assert settings.retries == 3  # the legacy ~/.pip/pip.conf is still read, first
    # A relative XDG_CONFIG_HOME is ignored, as platformdirs does.
    assert machine.load(XDG_CONFIG_HOME="config").index_url == "https://ignored.example.invalid/"


def test_isolated_skips_user_files_and_environment(machine: Machine) -> None:
    machine.write(machine.etc, f"[global]\nindex-url = {OTHER}\n")
    machine.write(machine.user, "[global]\nindex-url = https://user.example.invalid/\n")
    machine.write(machine.site, "[global]\nretries = 2\n")
    settings = machine.load(isolated=True, PIP_INDEX_URL="https://env.example.invalid/")
    assert settings.index_url == OTHER
    assert settings.retries == 2
    # pip still reads PIP_CONFIG_FILE in isolated mode.
    env_file = machine.write(machine.root / "custom.conf", f"[global]\nindex-url = {MIRROR}\n")
    settings = machine.load(isolated=True, PIP_CONFIG_FILE=str(env_file))
    assert settings.index_url == MIRROR


# --------------------------------------------------------------------------------- sections


def test_install_section_beats_global(machine: Machine) -> None:
    machine.write(
        machine.user,
        f"[install]\nindex-url = {MIRROR}\n\n[global]\nindex-url = {OTHER}\ntimeout = 5\n"
        "[download]\nretries = 9\n",
    )
    settings = machine.load()
    assert settings.index_url == MIRROR
    assert settings.timeout == 5.0
    assert settings.retries is None  # other commands' sections do not apply
    assert f"index-url = {MIRROR} (from {machine.user} [install])" in settings.provenance


def test_install_section_of_an_earlier_file_beats_global_of_a_later_one(
    machine: Machine,
) -> None:
    # pip pools [global] values of all files, then [install] values, then the environment.
    machine.write(machine.etc, f"[install]\nindex-url = {MIRROR}\n")
    machine.write(machine.user, f"[global]\nindex-url = {OTHER}\n")
    assert machine.load().index_url == MIRROR


def test_environment_beats_files(machine: Machine) -> None:
    machine.write(
        machine.user,
        f"[install]\nindex-url = {OTHER}\nextra-index-url = {OTHER}\nno-index = yes\n",
    )
    settings = machine.load(
        PIP_INDEX_URL=MIRROR,
        PIP_EXTRA_INDEX_URL="https://a.example.invalid/simple/",
        PIP_NO_INDEX="off",
    )
    assert settings.index_url == MIRROR
    assert settings.extra_index_urls == ("https://a.example.invalid/simple/",)
    assert settings.no_index is False
    assert f"index-url = {MIRROR} (from PIP_INDEX_URL)" in settings.provenance
    assert "no-index = off (from PIP_NO_INDEX)" in settings.provenance


def test_empty_value_in_a_later_file_erases(machine: Machine) -> None:
    machine.write(machine.etc, f"[global]\nindex-url = {OTHER}\nextra-index-url = {MIRROR}\n")
    machine.write(machine.user, "[global]\nextra-index-url =\n")
    settings = machine.load()
    assert settings.extra_index_urls == ()
    assert settings.index_url == OTHER
    # An empty environment variable does not erase file values.
    assert machine.load(PIP_INDEX_URL="").index_url == OTHER


# ------------------------------------------------------------------------------------- keys


def test_dash_and_underscore_keys(machine: Machine) -> None:
    machine.write(
        machine.user,
        "[global]\n"
        f"Extra_Index_URL = {MIRROR}\n"
        "--default_timeout = 30\n"
        "trusted_host = mirror.example.invalid\n"
        f"pypi-url = {OTHER}\n",
    )
    settings = machine.load(PIP_client_cert="/x/client.pem")
    assert settings.extra_index_urls == (MIRROR,)
    assert settings.timeout == 30.0
    assert settings.trusted_hosts == ("mirror.example.invalid",)
    assert settings.index_url == OTHER  # --pypi-url is pip's old alias of --index-url
    assert settings.client_cert == "/x/client.pem"


def test_same_key_spelled_twice_makes_the_file_unreadable(machine: Machine) -> None:
    # pip normalises keys before configparser's duplicate check: it rejects this file.
    bad = machine.write(
        machine.user, f"[global]\nextra-index-url = {OTHER}\nextra_index_url = {OTHER}\n"
    )
    machine.write(machine.etc, f"[global]\nindex-url = {MIRROR}\n")
    settings = machine.load()
    assert settings.index_url == MIRROR
    assert settings.extra_index_urls == ()
    assert any(str(bad) in w and "appears twice" in w for w in settings.warnings)


def test_lists_are_split_on_whitespace_and_replaced_not_extended(machine: Machine) -> None:
    links = machine.root / "links"
    links.mkdir()
    machine.write(
        machine.etc,
        "[global]\n"
        f"extra-index-url =\n    {MIRROR}\n    {OTHER}   https://c.example.invalid/\n"
        f"find-links = {links} https://links.example.invalid/\n"
        "trusted-host = a.example.invalid\tb.example.invalid\n",
    )
    settings = machine.load(PIP_INDEX_URL=MIRROR)
    assert settings.extra_index_urls == (MIRROR, OTHER, "https://c.example.invalid/")
    assert settings.find_links == (str(links), "https://links.example.invalid/")
    assert settings.trusted_hosts == ("a.example.invalid", "b.example.invalid")
    # A later source replaces the whole list.
    machine.write(machine.user, "[install]\nextra-index-url = https://d.example.invalid/\n")
    settings = machine.load(PIP_TRUSTED_HOST="  x.example.invalid\ny.example.invalid ")
    assert settings.extra_index_urls == ("https://d.example.invalid/",)
    assert settings.trusted_hosts == ("x.example.invalid", "y.example.invalid")


def test_typed_values(machine: Machine) -> None:
    machine.write(
        machine.user,
        "[global]\nno-index = TRUE\ntimeout = 2.5\nretries = 3\n"
        "proxy = http://proxy.example.invalid:3128\ncert = ~/ca.pem\n",
    )
    (machine.home / "ca.pem").write_text("x")
    settings = machine.load(PIP_INDEX_URL=MIRROR)
    assert settings.no_index is True
    assert settings.timeout == 2.5
    assert settings.retries == 3
    assert settings.proxy == "http://proxy.example.invalid:3128"
    assert settings.cert == str(machine.home / "ca.pem")
    assert settings.warnings == ()
    defaults = machine.load(PIP_INDEX_URL=MIRROR, PIP_CONFIG_FILE=os.devnull)
    assert (defaults.no_index, defaults.timeout, defaults.retries) == (False, None, None)
    assert (defaults.cert, defaults.client_cert, defaults.proxy) == (None, None, None)


def test_timeout_and_default_timeout_are_one_setting(machine: Machine) -> None:
    machine.write(machine.etc, "[global]\ntimeout = 10\n")
    assert machine.load(PIP_INDEX_URL=MIRROR, PIP_DEFAULT_TIMEOUT="180").timeout == 180.0
    assert machine.load(PIP_INDEX_URL=MIRROR, PIP_TIMEOUT="60").timeout == 60.0


def test_invalid_values_are_skipped_with_a_warning(machine: Machine) -> None:
    machine.write(machine.etc, "[global]\ntimeout = 7\n")
    machine.write(
        machine.user, "[global]\nno-index = maybe\nretries = many\n[install]\ntimeout = soon\n"
    )
    settings = machine.load(PIP_INDEX_URL=MIRROR)
    assert settings.no_index is False
    assert settings.retries is None
    assert settings.timeout is None  # pip applies the bad value last; we skip it
    text = "\n".join(settings.warnings)
    assert "no-index = maybe" in text and "retries = many" in text and "timeout = soon" in text
    assert str(machine.user) in text


def test_unparseable_file_is_skipped_with_a_warning(machine: Machine) -> None:
    machine.write(machine.etc, f"[global]\nindex-url = {MIRROR}\nretries = 4\n")
    bad = machine.write(
        machine.user, "index-url = https://user:hunter2@bad.example.invalid/simple/\n"
    )
    settings = machine.load()
    assert settings.index_url == MIRROR
    assert settings.retries == 4
    assert len(settings.warnings) == 1
    assert str(bad) in settings.warnings[0]
    assert "skipping" in settings.warnings[0]
    assert "hunter2" not in _all_text(settings)


def test_file_with_invalid_encoding_is_skipped(machine: Machine) -> None:
    content = b"[global]\nindex-url = https://\xff\xfe.example.invalid/\n"
    machine.user.parent.mkdir(parents=True)
    machine.user.write_bytes(content)
    settings = machine.load(PIP_INDEX_URL=MIRROR)
    assert settings.index_url == MIRROR
    try:
        content.decode(pipconfig._locale_encoding())
    except UnicodeDecodeError:
        assert len(settings.warnings) == 1
        assert str(machine.user) in settings.warnings[0]
        assert "invalid" in settings.warnings[0]


# ------------------------------------------------------------------------ missing locations


def test_missing_file_index_and_find_links_are_dropped(machine: Machine) -> None:
    present_index = machine.root / "pypi" / "simple"
    present_index.mkdir(parents=True)
    wheels = machine.root / "wheels"
    wheels.mkdir()
    page = machine.write(machine.root / "links.html", "<html></html>")
    missing_index = machine.root / "pypi-more" / "simple"
    machine.write(
        machine.user,
        "[global]\n"
        f"extra-index-url = {present_index.as_uri()} {missing_index.as_uri()} {MIRROR}\n"
        f"find-links = {wheels} {machine.root / 'nowhere'} {page.as_uri()}"
        f" {(machine.root / 'gone').as_uri()} https://links.example.invalid/ relative-missing\n",
    )
    settings = machine.load(PIP_INDEX_URL=MIRROR)
    assert settings.extra_index_urls == (present_index.as_uri(), MIRROR)
    assert settings.find_links == (str(wheels), page.as_uri(), "https://links.example.invalid/")
    warnings = "\n".join(settings.warnings)
    assert f"skipping extra index {missing_index.as_uri()}" in warnings
    assert f"skipping find-links location {machine.root / 'nowhere'}" in warnings
    assert f"skipping find-links location {(machine.root / 'gone').as_uri()}" in warnings
    assert "skipping find-links location relative-missing" in warnings
    assert "no such directory" in warnings
    assert str(machine.user) in warnings
    assert len(settings.warnings) == 4


def test_missing_primary_index_is_kept_with_a_warning(machine: Machine) -> None:
    missing = (machine.root / "nothing" / "simple").as_uri()
    settings = machine.load(PIP_INDEX_URL=missing)
    assert settings.index_url == missing
    assert any(missing in w and "PIP_INDEX_URL" in w for w in settings.warnings)
    # With --no-index pip never looks at the indexes, so there is nothing to say.
    settings = machine.load(PIP_INDEX_URL=missing, PIP_NO_INDEX="1", PIP_EXTRA_INDEX_URL=missing)
    assert settings.warnings == ()


def test_find_links_under_home_is_expanded(machine: Machine) -> None:
    (machine.home / "wheels").mkdir()
    settings = machine.load(PIP_INDEX_URL=MIRROR, PIP_FIND_LINKS="~/wheels ~/absent")
    assert settings.find_links == (str((machine.home / "wheels").resolve()),)
    assert any("~/absent" in w for w in settings.warnings)


def test_missing_cert_is_reported(machine: Machine) -> None:
    settings = machine.load(PIP_INDEX_URL=MIRROR, PIP_CERT="~/nope.pem")
    assert settings.cert == str(machine.home / "nope.pem")
    assert any("nope.pem" in w and "PIP_CERT" in w for w in settings.warnings)


# ------------------------------------------------------------------ what sizefloor ignores


def test_constraint_is_ignored_with_a_warning(machine: Machine) -> None:
    machine.write(
        machine.etc,
        f"[global]\nindex-url = {MIRROR}\nconstraint = /srv/pip/constraints.txt\n",
    )
    settings = machine.load()
    assert settings.index_url == MIRROR
    assert settings.warnings == (
        "pip's configuration sets a constraints file (/srv/pip/constraints.txt, from "
        f"{machine.etc} [global]); sizefloor does not apply it — pass it with -c if the "
        "image build uses it",
    )
    assert [s.split(" = ")[0] for s in settings.provenance] == ["index-url"]


def test_other_selection_options_are_ignored_with_warnings(machine: Machine) -> None:
    machine.write(
        machine.user,
        "[install]\nrequirement = /srv/req.txt\npre = true\nno-binary = :all:\n"
        "prefer-binary = off\nonly-binary = numpy\nno-dependencies = yes\n",
    )
    settings = machine.load(PIP_INDEX_URL=MIRROR, PIP_PLATFORM="win_amd64")
    text = "\n".join(settings.warnings)
    assert "requirements file (/srv/req.txt" in text
    assert "pre = true" in text
    assert "no-binary = :all:" in text
    assert "only-binary = numpy" in text
    assert "no-deps = yes" in text
    assert "platform = win_amd64 (from PIP_PLATFORM)" in text
    assert "prefer-binary" not in text  # explicitly off changes nothing
    assert len(settings.warnings) == 6


# ------------------------------------------------------------------------------ credentials


def test_credentials_are_kept_but_redacted(machine: Machine) -> None:
    secret_index = "https://alice:s3cret@mirror.example.invalid/simple/"
    secret_extra = "https://t0kenvalue@other.example.invalid/simple/"
    machine.write(
        machine.etc,
        f"[global]\nextra-index-url = {secret_extra}\n"
        "constraint = https://bob:s3cret@files.example.invalid/constraints.txt\n"
        "proxy = carol:s3cret@proxy.example.invalid:3128\n"
        "timeout = https://dave:s3cret@nonsense.example.invalid/\n",
    )
    settings = machine.load(
        PIP_INDEX_URL=secret_index,
        PIP_FIND_LINKS="file:///nowhere/at/all https://erin:s3cret@links.example.invalid/",
    )
    assert settings.index_url == secret_index
    assert settings.extra_index_urls == (secret_extra,)
    assert settings.proxy == "carol:s3cret@proxy.example.invalid:3128"
    assert settings.find_links == ("https://erin:s3cret@links.example.invalid/",)
    text = _all_text(settings)
    assert "s3cret" not in text
    assert "t0kenvalue" not in text
    assert "https://alice:****@mirror.example.invalid/simple/" in text
    assert "https://****@other.example.invalid/simple/" in text
    assert "carol:****@proxy.example.invalid:3128" in text
    assert "bob:****@files.example.invalid" in text
    assert "erin:****@links.example.invalid" in text
    assert "dave:****@nonsense.example.invalid" in text


# --------------------------------------------------------------------------- default index


def test_default_index_url() -> None:
    url = default_index_url()
    assert url.startswith("https://")
    assert url.rstrip("/").endswith("/simple")


def test_nothing_configured_leaves_the_index_to_pip_s_default(machine: Machine) -> None:
    # None, not the default itself: the default is read from pip only when it is
    # needed, so a missing pip does not matter when --index-url is given.
    settings = machine.load()
    assert settings.index_url is None
    assert settings.provenance == ()


def test_default_index_url_without_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def fake_import(name: str, package: str | None = None) -> ModuleType:
        if name.startswith("pip"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(SizefloorError) as info:
        default_index_url()
    assert info.value.hint is not None
    assert "PIP_INDEX_URL" in info.value.hint and "--index-url" in info.value.hint


# ------------------------------------------------------------------------------ real machine


def _configured(settings: IndexSettings, setting: str) -> list[str]:
    """The raw locations a setting was configured with, as ``provenance`` shows them."""
    for line in settings.provenance:
        if line.startswith(f"{setting} = "):
            return line[len(setting) + 3 :].rsplit(" (from ", 1)[0].split()
    return []


def test_this_machines_configuration_loads() -> None:
    # The real files and environment: must not raise, whatever they hold.
    settings = load_index_settings()
    assert settings.index_url is None or settings.index_url.startswith(("http", "file:"))
    for setting, kept in (
        ("extra-index-url", settings.extra_index_urls),
        ("find-links", settings.find_links),
    ):
        for location in _configured(settings, setting):
            if not location.startswith("file:"):
                continue
            path = pipconfig._url_to_path(location)
            if path is not None and os.path.exists(path):
                assert location in kept
            else:
                # A missing file:// location becomes a warning, never an error.
                assert location not in kept
                what = "extra index" if setting == "extra-index-url" else "find-links location"
                assert any(f"skipping {what} {location}" in w for w in settings.warnings)
