"""Where ``pip install`` on this machine would look for packages.

sizefloor reads the indexes the user's pip would read unless told otherwise.
This module reproduces pip's configuration loading (``pip/_internal/configuration.py``
and ``ConfigOptionParser`` in ``pip/_internal/cli/parser.py``) without importing
pip:

* Files, in pip's override order (later wins):

  1. global: ``<dir>/pip/pip.conf`` for each absolute entry of ``$XDG_CONFIG_DIRS``
     (default ``/etc/xdg``), then ``/etc/pip.conf``;
  2. user: ``~/.pip/pip.conf`` (legacy), then ``$XDG_CONFIG_HOME/pip/pip.conf``
     (default ``~/.config/pip/pip.conf``) -- skipped when isolated, or when
     ``$PIP_CONFIG_FILE`` names an existing file;
  3. site: ``sys.prefix/pip.conf``;
  4. the ``$PIP_CONFIG_FILE`` file (read even when isolated, as pip does).

  ``PIP_CONFIG_FILE=/dev/null`` (``os.devnull``) means no file at all.
* Environment variables ``PIP_<OPTION>`` (not when isolated).
* Precedence is *by section first*: every ``[global]`` value (the last file
  wins), then every ``[install]`` value, then the environment.  So an
  ``[install]`` value in ``/etc/pip.conf`` beats a ``[global]`` value in the
  user's file -- that is pip's behaviour, reproduced on purpose.  An empty
  value in a later file erases the same key of an earlier file (in the same
  section) and falls back to the default.
* Keys are normalised like pip's: lower case, ``_`` -> ``-``, leading ``--``
  dropped (``extra_index_url`` == ``extra-index-url``).  Multi-value settings
  (``extra-index-url``, ``find-links``, ``trusted-host``) are split on
  whitespace, and a later source replaces -- not extends -- an earlier list.

Where pip would stop with an error (a file it cannot parse, a value of the
wrong type), sizefloor skips the file or the value and says so in
``warnings``.  Settings that change *what* is installed (constraints,
requirements, ``--pre``, ``--no-binary``...) are not taken from the machine's
configuration: they are reported in ``warnings`` instead.

Credentials in URLs are kept in the settings, but ``provenance`` and
``warnings`` only ever show them redacted.
"""

from __future__ import annotations

import configparser
import importlib
import locale
import os
import posixpath
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sizefloor.errors import SizefloorError
from sizefloor.urls import is_file_url, redact, url2pathname

if sys.platform != "win32":
    import pwd

__all__ = ["IndexSettings", "default_index_url", "load_index_settings"]

CONFIG_BASENAME = "pip.conf"
_ENV_SECTION = ":env:"
_COMMAND = "install"  # sizefloor behaves like ``pip install``
_SECTION_ORDER = ("global", _COMMAND, _ENV_SECTION)
_ENV_NAMES_IGNORED = ("version", "help")

# Where pip looks on Unix; module attributes so tests can move them.
_SYSTEM_CONFIG_DIR = "/etc"
_DEFAULT_XDG_CONFIG_DIRS: tuple[str, ...] = ("/etc/xdg",)

# Option name (as in config files, normalised) -> (setting, kind).
_OPTIONS: dict[str, tuple[str, str]] = {
    "index-url": ("index-url", "str"),
    "pypi-url": ("index-url", "str"),  # pip's old alias of --index-url
    "extra-index-url": ("extra-index-url", "list"),
    "find-links": ("find-links", "list"),
    "no-index": ("no-index", "bool"),
    "trusted-host": ("trusted-host", "list"),
    "cert": ("cert", "path"),
    "client-cert": ("client-cert", "path"),
    "proxy": ("proxy", "str"),
    "timeout": ("timeout", "float"),
    "default-timeout": ("timeout", "float"),
    "retries": ("retries", "int"),
}

# Options of ``pip install`` that change what gets installed.  sizefloor does not
# take them from the machine's configuration; it warns about them instead.
_IGNORED_OPTIONS: dict[str, tuple[str, str]] = {
    "constraint": ("constraint", "list"),
    "requirement": ("requirement", "list"),
    "editable": ("editable", "list"),
    "requirements-from-script": ("requirements-from-script", "list"),
    "group": ("group", "list"),
    "no-deps": ("no-deps", "bool"),
    "no-dependencies": ("no-deps", "bool"),
    "only-deps": ("only-deps", "bool"),
    "only-dependencies": ("only-deps", "bool"),
    "pre": ("pre", "bool"),
    "all-releases": ("all-releases", "str"),
    "only-final": ("only-final", "str"),
    "no-binary": ("no-binary", "str"),
    "only-binary": ("only-binary", "str"),
    "prefer-binary": ("prefer-binary", "bool"),
    "ignore-requires-python": ("ignore-requires-python", "bool"),
    "uploaded-prior-to": ("uploaded-prior-to", "str"),
    "python-version": ("python-version", "str"),
    "platform": ("platform", "list"),
    "implementation": ("implementation", "str"),
    "abi": ("abi", "list"),
}

_URL_SCHEMES = ("http", "https", "file", "ftp")


@dataclass(frozen=True)
class IndexSettings:
    """The indexes, find-links and connection settings ``pip install`` would use.

    ``timeout`` and ``retries`` are ``None`` when nothing configures them (pip's
    own defaults are 15 seconds and 5 retries).  ``provenance`` says, for every
    value taken from the configuration, where it came from
    (``"extra-index-url = file:///srv/simple (from /etc/pip.conf [global])"``);
    ``warnings`` lists what was skipped or ignored and why.
    """

    index_url: str | None
    """``None`` when nothing configures it: pip's default then applies
    (:func:`default_index_url`, looked up only when needed, so a missing pip
    does not matter when the index is given another way)."""
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    trusted_hosts: tuple[str, ...] = ()
    cert: str | None = None
    client_cert: str | None = None
    proxy: str | None = None
    timeout: float | None = None
    retries: int | None = None
    provenance: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def default_index_url() -> str:
    """The index pip uses when nothing is configured, read from the installed pip.

    Raises :class:`~sizefloor.errors.SizefloorError` when pip cannot be imported.
    """
    try:
        module = importlib.import_module("pip._internal.models.index")
        url = module.PyPI.simple_url
    except Exception as exc:  # ImportError, or a pip without this attribute
        raise SizefloorError(
            "Cannot tell which index pip uses by default.",
            hint="pip is not installed here, so its default index is unknown: "
            "pass --index-url or set PIP_INDEX_URL.",
        ) from exc
    if not isinstance(url, str) or not url:
        raise SizefloorError(
            "The installed pip does not say which index it uses by default.",
            hint="Pass --index-url or set PIP_INDEX_URL.",
        )
    return url


def load_index_settings(
    *,
    environ: Mapping[str, str] | None = None,
    isolated: bool = False,
    applied_constraints: Sequence[str | os.PathLike[str]] = (),
) -> IndexSettings:
    """Read pip's configuration files and ``PIP_*`` variables as ``pip install`` would.

    ``environ`` replaces :data:`os.environ` (for ``HOME``, ``XDG_*``,
    ``PIP_CONFIG_FILE`` and the ``PIP_*`` settings); ``isolated`` is pip's
    ``--isolated``: no user file, no ``PIP_*`` variables (``PIP_CONFIG_FILE`` is
    still honoured, as pip does).  To let a command-line option win, pass it
    through ``environ`` (``{**os.environ, "PIP_INDEX_URL": url}``), which also
    avoids asking pip for its default index.

    Local locations that do not exist (an extra index ``file:///...`` or a
    find-links directory) are dropped with a warning, as pip ignores them.
    A constraints file the configuration names is warned about unless it is one of
    ``applied_constraints`` (the run's ``-c`` files): then it is applied after all.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    warnings: list[str] = []
    chosen, ignored = _choose(_pool(env, isolated, warnings))
    builder = _Builder(env, warnings)
    for setting, (kind, value, origin) in chosen.items():
        builder.apply(setting, kind, value, origin)
    for setting, (kind, value, origin) in ignored.items():
        if setting == "constraint":
            value = " ".join(_not_applied(value.split(), applied_constraints, env))
            if not value:
                continue  # every one is passed with -c: applied, nothing to say
        _warn_ignored(setting, kind, value, origin, warnings)
    return builder.build()


def _not_applied(
    configured: Sequence[str], applied: Sequence[str | os.PathLike[str]], env: Mapping[str, str]
) -> list[str]:
    """The configured constraints files that are not among the ``-c`` ones (the same file
    however it is spelled: ``~``, a relative path, a link)."""
    same = {_identity(os.fspath(path)) for path in applied}
    return [path for path in configured if _identity(_expanduser(path, env)) not in same]


def _identity(path: str) -> tuple[int, int] | str:
    try:
        status = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (status.st_dev, status.st_ino)


# The values configured per section, in precedence order: key -> (value, where from).
_Pooled = dict[str, dict[str, tuple[str, str]]]
# setting -> (kind, value, where from)
_Chosen = dict[str, tuple[str, str, str]]


def _pool(env: Mapping[str, str], isolated: bool, warnings: list[str]) -> _Pooled:
    """Every configured value by section (``global``, ``install``, the environment),
    the last file naming a key winning within a section."""
    # pip's Configuration._dictionary: file name -> {"section.key": value}, in
    # override order; a file named twice keeps its first position.
    merged: dict[str, dict[str, str]] = {}
    for variant_files in _config_files(env, isolated):
        variant: dict[str, dict[str, str]] = {}
        for fname in variant_files:
            variant.setdefault(fname, {}).update(_read_config_file(fname, warnings))
        merged.update(variant)

    # ConfigOptionParser._get_ordered_configuration_items: pool per section.
    pooled: _Pooled = {name: {} for name in _SECTION_ORDER}
    for fname, values in merged.items():
        for section_key, value in values.items():
            section, key = section_key.split(".", 1)
            if section in pooled:
                pooled[section][key] = (value, f"{fname} [{section}]")
    if not isolated:
        for name, value in env.items():
            if not name.startswith("PIP_"):
                continue
            short = name[4:].lower()
            if short in _ENV_NAMES_IGNORED:
                continue
            pooled[_ENV_SECTION][_normalize_name(short)] = (value, name)
    return pooled


def _choose(pooled: _Pooled) -> tuple[_Chosen, _Chosen]:
    """(the settings sizefloor applies, those it only warns about), each taking its
    last value in section order (as optparse defaults); an empty value sets nothing."""
    chosen: _Chosen = {}
    ignored: _Chosen = {}
    for section in _SECTION_ORDER:
        for key, (value, origin) in pooled[section].items():
            if not value:
                continue
            if key in _OPTIONS:
                setting, kind = _OPTIONS[key]
                chosen[setting] = (kind, value, origin)
            elif key in _IGNORED_OPTIONS:
                setting, kind = _IGNORED_OPTIONS[key]
                ignored[setting] = (kind, value, origin)
    return chosen, ignored


# ---------------------------------------------------------------------- files


def _config_files(env: Mapping[str, str], isolated: bool) -> list[list[str]]:
    """The configuration files per kind (global, user, site, PIP_CONFIG_FILE)."""
    env_file = env.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    global_files = [
        os.path.join(directory, "pip", CONFIG_BASENAME) for directory in _xdg_config_dirs(env)
    ]
    global_files.append(os.path.join(_SYSTEM_CONFIG_DIR, CONFIG_BASENAME))
    kinds = [global_files]
    if not isolated and not (env_file and os.path.exists(env_file)):
        legacy = os.path.join(_expanduser("~", env), ".pip", CONFIG_BASENAME)
        kinds.append([legacy, os.path.join(_user_config_dir(env), CONFIG_BASENAME)])
    kinds.append([os.path.join(sys.prefix, CONFIG_BASENAME)])
    kinds.append([env_file] if env_file is not None else [])
    return kinds


def _xdg_config_dirs(env: Mapping[str, str]) -> list[str]:
    # platformdirs: absolute entries of $XDG_CONFIG_DIRS, else /etc/xdg.
    dirs = [
        stripped
        for entry in env.get("XDG_CONFIG_DIRS", "").split(os.pathsep)
        if posixpath.isabs(stripped := entry.strip())
    ]
    return dirs or list(_DEFAULT_XDG_CONFIG_DIRS)


def _user_config_dir(env: Mapping[str, str]) -> str:
    # platformdirs: an absolute $XDG_CONFIG_HOME, else ~/.config (an empty HOME is unset).
    home_config = env.get("XDG_CONFIG_HOME", "").strip()
    if not posixpath.isabs(home_config):
        if "HOME" in env and not env["HOME"]:
            home = _passwd_home()
            home_config = "~/.config" if home is None else home.rstrip("/") + "/.config"
        else:
            home_config = _expanduser("~/.config", env)
    return os.path.join(home_config, "pip")


def _expanduser(path: str, env: Mapping[str, str]) -> str:
    """:func:`os.path.expanduser` with ``HOME`` taken from ``env``."""
    if path != "~" and not path.startswith("~/"):
        if path.startswith("~"):  # ~user/...: not about HOME
            return os.path.expanduser(path)
        return path
    if "HOME" in env:
        home = env["HOME"]
    else:
        found = _passwd_home()
        if found is None:
            return path
        home = found
    home = home.rstrip("/")
    return (home + path[1:]) or "/"


def _passwd_home() -> str | None:
    """The home directory the password database gives the user, if any."""
    if sys.platform == "win32":
        return None  # no password database
    try:
        return pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:  # a user the database does not know
        return None


class _PipConfigParser(configparser.RawConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return _normalize_name(optionstr)


def _normalize_name(name: str) -> str:
    name = name.lower().replace("_", "-")
    return name.removeprefix("--")


def _locale_encoding() -> str:
    if sys.flags.utf8_mode:
        return "utf-8"
    if sys.version_info >= (3, 11):
        return locale.getencoding()
    return locale.getpreferredencoding(False)


def _read_config_file(fname: str, warnings: list[str]) -> dict[str, str]:
    """``{"section.key": value}`` of one file; ``{}`` when missing or unreadable."""
    if not os.path.exists(fname):
        return {}
    parser = _PipConfigParser()
    encoding = _locale_encoding()
    try:
        with open(fname, encoding=encoding) as handle:
            parser.read_file(handle, source=fname)
    except UnicodeDecodeError:
        warnings.append(
            f"skipping pip configuration file {fname}: it contains invalid {encoding} "
            "characters (pip would stop with an error)"
        )
        return {}
    except configparser.Error as error:
        warnings.append(
            f"skipping pip configuration file {fname}: {_describe_parse_error(error)} "
            "(pip would stop with an error)"
        )
        return {}
    except OSError as error:
        reason = error.strerror or type(error).__name__
        warnings.append(
            f"skipping pip configuration file {fname}: {reason.lower()} (pip skips it silently)"
        )
        return {}
    values: dict[str, str] = {}
    for section in parser.sections():
        for name, value in parser.items(section):
            values[f"{section}.{_normalize_name(name)}"] = value
    return values


def _describe_parse_error(error: configparser.Error) -> str:
    # Never quote the offending line: it may hold a password.
    if isinstance(error, configparser.MissingSectionHeaderError):
        return f"line {error.lineno} comes before any [section] header"
    if isinstance(error, configparser.DuplicateOptionError):
        return (
            f"line {error.lineno}: {error.option!r} appears twice in [{error.section}] "
            "(pip treats dashes and underscores alike)"
        )
    if isinstance(error, configparser.DuplicateSectionError):
        return f"line {error.lineno}: section [{error.section}] appears twice"
    if isinstance(error, configparser.ParsingError):
        lines = ", ".join(str(entry[0]) for entry in error.errors)
        return f"cannot parse line(s) {lines}"
    return type(error).__name__


# ---------------------------------------------------------------------- values


def _show(value: str) -> str:
    """``value`` (one or more whitespace-separated items) with credentials masked."""
    return " ".join(_redact_item(item) for item in value.split())


def _redact_item(item: str) -> str:
    if "://" in item:
        return redact(item)
    if "@" in item:  # user:password@proxy:3128
        userinfo, _, host = item.rpartition("@")
        user, sep, _password = userinfo.partition(":")
        return f"{user}:****@{host}" if sep else f"****@{host}"
    return item


def _strtobool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("y", "yes", "t", "true", "on", "1"):
        return True
    if lowered in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(value)


def _url_to_path(url: str) -> str | None:
    """pip's ``url_to_path`` for Unix; ``None`` for a non-local ``file:`` URL."""
    _, netloc, path, _, _ = urllib.parse.urlsplit(url)
    if netloc and netloc != "localhost":
        return None
    return url2pathname(path)


def _is_url(location: str) -> bool:
    return urllib.parse.urlsplit(location).scheme in _URL_SCHEMES


def _missing_reason(location: str) -> str | None:
    """Why pip would ignore ``location`` (an index or find-links entry), or ``None``."""
    if os.path.exists(location):
        return None
    if is_file_url(location):
        path = _url_to_path(location)
        if path is None:
            return "a file: URL on another host, which pip cannot read"
        if os.path.isdir(path) or os.path.isfile(path):
            return None
        return "no such directory"
    if _is_url(location):
        return None
    return "no such directory (and not a URL)"


class _Builder:
    def __init__(self, env: Mapping[str, str], warnings: list[str]) -> None:
        self.env = env
        self.warnings = warnings
        self.provenance: list[str] = []
        self.index_url: str | None = None
        self.extra_index_urls: list[str] = []
        self.find_links: list[str] = []
        self.no_index = False
        self.trusted_hosts: list[str] = []
        self.cert: str | None = None
        self.client_cert: str | None = None
        self.proxy: str | None = None
        self.timeout: float | None = None
        self.retries: int | None = None
        self.origins: dict[str, str] = {}

    def apply(self, setting: str, kind: str, value: str, origin: str) -> None:
        shown = _show(value)
        if kind == "bool":
            try:
                self.no_index = _strtobool(value.strip())
            except ValueError:
                self._invalid(setting, shown, origin, "a boolean (yes/no, true/false, 1/0)")
                return
        elif kind == "float":
            try:
                self.timeout = float(value)
            except ValueError:
                self._invalid(setting, shown, origin, "a number of seconds")
                return
        elif kind == "int":
            try:
                self.retries = int(value)
            except ValueError:
                self._invalid(setting, shown, origin, "a whole number")
                return
        elif kind == "list":
            items = value.split()
            if setting == "extra-index-url":
                self.extra_index_urls = items
            elif setting == "find-links":
                self.find_links = items
            else:
                self.trusted_hosts = items
        elif kind == "path":
            path = _expanduser(value.strip(), self.env)
            if setting == "cert":
                self.cert = path
            else:
                self.client_cert = path
        elif setting == "index-url":
            self.index_url = value.strip()
        else:
            self.proxy = value.strip()
        self.origins[setting] = origin
        self.provenance.append(f"{setting} = {shown} (from {origin})")

    def _invalid(self, setting: str, shown: str, origin: str, wanted: str) -> None:
        self.warnings.append(
            f"ignoring {setting} = {shown} (from {origin}): not {wanted} "
            "(pip would stop with an error)"
        )

    def build(self) -> IndexSettings:
        index_url = self.index_url
        extra = self.extra_index_urls
        if not self.no_index:
            reason = _missing_reason(index_url) if index_url is not None else None
            if index_url is not None and reason is not None:
                self.warnings.append(
                    f"the index {redact(index_url)} (from {self.origins['index-url']}) "
                    f"cannot be read: {reason}; pip would find nothing there"
                )
            extra = self._keep_existing(extra, "extra index", "extra-index-url")
        find_links = [self._expand_find_link(link) for link in self.find_links]
        find_links = self._keep_existing(find_links, "find-links location", "find-links")
        for setting, path in (("cert", self.cert), ("client-cert", self.client_cert)):
            if path is not None and not os.path.exists(path):
                self.warnings.append(
                    f"{setting} {path} (from {self.origins[setting]}) does not exist; "
                    "pip would fail on its first HTTPS request"
                )
        return IndexSettings(
            index_url=index_url,
            extra_index_urls=tuple(extra),
            find_links=tuple(find_links),
            no_index=self.no_index,
            trusted_hosts=tuple(self.trusted_hosts),
            cert=self.cert,
            client_cert=self.client_cert,
            proxy=self.proxy,
            timeout=self.timeout,
            retries=self.retries,
            provenance=tuple(self.provenance),
            warnings=tuple(self.warnings),
        )

    def _expand_find_link(self, link: str) -> str:
        # pip's SearchScope.create: "~..." is normalised when that path exists.
        if link.startswith("~"):
            expanded = os.path.normcase(os.path.realpath(_expanduser(link, self.env)))
            if os.path.exists(expanded):
                return expanded
        return link

    def _keep_existing(self, locations: list[str], what: str, setting: str) -> list[str]:
        kept: list[str] = []
        for location in locations:
            reason = _missing_reason(location)
            if reason is None:
                kept.append(location)
            else:
                self.warnings.append(
                    f"skipping {what} {redact(location)} (from {self.origins[setting]}): "
                    f"{reason} (pip ignores it too)"
                )
        return kept


def _warn_ignored(setting: str, kind: str, value: str, origin: str, warnings: list[str]) -> None:
    if kind == "bool":
        try:
            if not _strtobool(value.strip()):
                return  # explicitly off: changes nothing
        except ValueError:
            pass
    shown = ", ".join(_show(value).split()) if kind == "list" else _show(value)
    if setting == "constraint":
        warnings.append(
            f"pip's configuration sets a constraints file ({shown}, from {origin}); "
            "sizefloor does not apply it — pass it with -c if the image build uses it"
        )
    elif setting == "requirement":
        warnings.append(
            f"pip's configuration sets a requirements file ({shown}, from {origin}); "
            "sizefloor does not read it — pass it to sizefloor if the image build uses it"
        )
    else:
        warnings.append(
            f"pip's configuration sets {setting} = {shown} (from {origin}); sizefloor does "
            "not apply it, as it changes what gets installed — pass the equivalent option "
            "if the image build uses it"
        )
