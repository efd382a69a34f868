"""Where to look for packages: the options first, then the requirements file, then pip's
configuration, then pip's own default index."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from sizefloor.errors import InputError
from sizefloor.inputs.pipconfig import IndexSettings, default_index_url, load_index_settings
from sizefloor.inputs.requirements import RequirementSet
from sizefloor.options import Options
from sizefloor.urls import redact

__all__ = ["Locations", "find_locations"]


@dataclass(frozen=True)
class Locations:
    """The indexes and find-links locations of a run, in the order they are consulted."""

    indexes: tuple[str, ...]
    links: tuple[str, ...]
    pip: IndexSettings | None
    """pip's settings (``None`` with ``--isolated``): timeouts, proxies, certificates too."""

    @property
    def warnings(self) -> tuple[str, ...]:
        """What reading pip's configuration warned about."""
        return tuple(self.pip.warnings) if self.pip is not None else ()


def find_locations(options: Options, reqs: RequirementSet) -> Locations:
    """The indexes and find-links of a run, by precedence (an option beats the requirements
    file, which beats pip's configuration, which beats pip's default)."""
    pip = (
        load_index_settings(applied_constraints=options.constraints)
        if options.use_pip_config
        else None
    )
    no_index = options.no_index or reqs.no_index or (pip.no_index if pip else False)
    primary = options.index_url or reqs.index_url or (pip.index_url if pip else None)
    if primary is None and not no_index:
        primary = default_index_url()
    extras = [*options.extra_index_urls, *reqs.extra_index_urls]
    links = [*options.find_links, *reqs.find_links]
    if pip is not None:
        extras += pip.extra_index_urls
        links += pip.find_links
    indexes = () if no_index else tuple(u for u in dict.fromkeys([primary, *extras]) if u)
    for url in (*indexes, *links):
        _check_url(url)
    return Locations(indexes, tuple(dict.fromkeys(links)), pip)


def _check_url(url: str) -> None:
    """An index or find-links URL that does not parse is an input error naming it (it was
    an internal error wherever it was first taken apart)."""
    try:
        urllib.parse.urlsplit(url).port  # noqa: B018 - the port is checked as it is read
    except ValueError as exc:
        raise InputError(
            f"{redact(url)} is not a valid URL ({exc}).",
            hint="Check the --index-url, --extra-index-url and --find-links values, the "
            "requirements file's option lines and pip's configuration.",
        ) from None
