"""Tests of sizefloor.inputs.requirements: pip's requirements-file format, read like pip does."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from sizefloor.errors import RequirementsError
from sizefloor.inputs.requirements import (
    UNSIZED_DIRECTORY,
    UNSIZED_EDITABLE,
    UNSIZED_SOURCE_ARCHIVE,
    UNSIZED_VCS,
    Origin,
    RequirementLine,
    RequirementSet,
    parse_requirement_strings,
    parse_requirements_text,
    read_requirements,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "requirements"
INDEX = "https://index.example.invalid/simple/"
MIRROR = "https://mirror.example.invalid/simple/"
FILES = "https://files.example.invalid/packages"
H1 = "sha256:" + "a" * 64
H2 = "sha256:" + "b" * 64
GUESSED_URL = " (project name guessed from the URL)"
GUESSED_DIR = " (project name guessed from the directory name)"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def parse(tmp_path: Path, text: str, environ: Mapping[str, str] | None = None) -> RequirementSet:
    return read_requirements(write(tmp_path / "requirements.txt", text), environ=environ or {})


def error_of(tmp_path: Path, text: str, environ: Mapping[str, str] | None = None) -> str:
    with pytest.raises(RequirementsError) as info:
        parse(tmp_path, text, environ)
    assert info.value.hint, "every RequirementsError carries a hint"
    return str(info.value)


def only(reqs: RequirementSet) -> RequirementLine:
    assert len(reqs.requirements) == 1, reqs.requirements
    return reqs.requirements[0]


def make_project(directory: Path, name: str | None = "my-project") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if name is None:
        (directory / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    else:
        (directory / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools"]\n\n'
            f'[project]\nname = "{name}"\nversion = "1.0"\n\n[tool.x]\nname = "not-this"\n'
        )
    return directory


# --------------------------------------------------------------------------- data model


def test_origin_str_and_comes_from() -> None:
    assert str(Origin("requirements.txt", 12)) == "requirements.txt:12"
    assert str(Origin(None, 3)) == "<string 3>"
    assert str(Origin("requirements.txt", None)) == "requirements.txt"
    assert Origin("requirements.txt", 12).comes_from() == "-r requirements.txt (line 12)"
    assert Origin("c.txt", 2).comes_from(constraint=True) == "-c c.txt (line 2)"
    assert Origin(None, 3).comes_from() == "<string 3>"


def test_dataclasses_are_frozen(tmp_path: Path) -> None:
    reqs = parse(tmp_path, "requests\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reqs.pre = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        only(reqs).editable = True  # type: ignore[misc]
    assert only(reqs).name == "requests"


def test_defaults_of_an_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "# nothing\n\n")
    reqs = read_requirements(path)
    assert reqs == RequirementSet(files=(str(path),))
    assert reqs.index_url is None
    assert reqs.only_binary == frozenset()


# --------------------------------------------------------------------------- logical lines


def test_continuation_keeps_the_first_line_number(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        f"# header\n\nfoo==1.0 \\\n    --hash={H1} \\\n    --hash={H2}\n    # via bar\nbar>=2\n",
    )
    foo, bar = reqs.requirements
    assert foo.origin == Origin(str(tmp_path / "requirements.txt"), 3)
    assert foo.hashes == (H1, H2)
    assert str(foo.requirement) == "foo==1.0"
    assert foo.text == "foo==1.0"
    assert bar.origin.line == 7


def test_continuation_inside_a_requirement_joins_without_a_space(tmp_path: Path) -> None:
    line = only(parse(tmp_path, "requests>=2,\\\n<3\n"))
    assert line.requirement.specifier == SpecifierSet(">=2,<3")
    assert line.origin.line == 1


def test_continuation_at_end_of_file(tmp_path: Path) -> None:
    line = only(parse(tmp_path, "requests \\"))
    assert line.requirement.name == "requests"


def test_a_comment_line_ends_a_continuation(tmp_path: Path) -> None:
    reqs = parse(tmp_path, "foo==1 \\\n# a comment\nbar\n")
    assert [(r.requirement.name, r.origin.line) for r in reqs.requirements] == [
        ("foo", 1),
        ("bar", 3),
    ]


def test_a_comment_ending_in_backslash_does_not_continue(tmp_path: Path) -> None:
    reqs = parse(tmp_path, "# comment \\\nfoo\n")
    assert [(r.requirement.name, r.origin.line) for r in reqs.requirements] == [("foo", 2)]


def test_comments_need_whitespace_before_the_hash(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        "requests==2.32.3  # pinned\n"
        "\t# indented comment\n"
        f"{FILES}/x-1.0.tar.gz#egg=x\n"
        f"y @ {FILES}/y-1.0-py3-none-any.whl#sha256={'c' * 64}   # trailing\n",
    )
    a, b, c = reqs.requirements
    assert str(a.requirement) == "requests==2.32.3"
    assert b.requirement.url == f"{FILES}/x-1.0.tar.gz#egg=x"
    assert c.requirement.url == f"{FILES}/y-1.0-py3-none-any.whl#sha256={'c' * 64}"
    assert c.text == f"y @ {FILES}/y-1.0-py3-none-any.whl#sha256={'c' * 64}"


def test_blank_lines_and_whitespace_are_skipped(tmp_path: Path) -> None:
    reqs = parse(tmp_path, "\n   \n\t\n  requests  \n\n")
    assert [(r.text, r.origin.line) for r in reqs.requirements] == [("requests", 4)]


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"foo==1 \\\r\n  --hash=" + H1.encode() + b"\r\nbar\r\n")
    reqs = read_requirements(path)
    assert [(r.requirement.name, r.origin.line, r.hashes) for r in reqs.requirements] == [
        ("foo", 1, (H1,)),
        ("bar", 3, ()),
    ]


# --------------------------------------------------------------------------- ${VAR}


def test_env_vars_are_expanded_from_environ(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        "--index-url https://${USER_1}:${TOKEN}@index.example.invalid/simple/\nfoo==${FOO_VERSION}\n",
        environ={"USER_1": "ci", "TOKEN": "s3cret", "FOO_VERSION": "1.2"},
    )
    assert reqs.index_url == "https://ci:s3cret@index.example.invalid/simple/"
    assert str(only(reqs).requirement) == "foo==1.2"


def test_only_braced_uppercase_vars_are_expanded(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        "--extra-index-url https://$TOKEN@a.example.invalid/\n"
        "--extra-index-url https://${token}@b.example.invalid/\n",
        environ={"TOKEN": "x", "token": "y"},
    )
    assert reqs.extra_index_urls == (
        "https://$TOKEN@a.example.invalid/",
        "https://${token}@b.example.invalid/",
    )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("--index-url https://${UNSET}@c.example.invalid/simple/", "${UNSET} is not set"),
        ("--extra-index-url https://${EMPTY}@d.example.invalid/", "${EMPTY} is empty"),
        ("-f ${UNSET}/wheels", "${UNSET} is not set"),
        ("foo==${UNSET}", "${UNSET} is not set"),
    ],
)
def test_an_unset_or_empty_variable_is_an_input_error_naming_it(
    tmp_path: Path, line: str, said: str
) -> None:
    """pip leaves it as written: the index URL then failed as a network error, retried."""
    message = error_of(tmp_path, f"# first\n{line}\n", environ={"EMPTY": ""})
    assert f"requirements.txt:2: {said}" in message
    assert "Set the environment variable" in message


def test_env_default_is_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIZEFLOOR_TEST_INDEX", INDEX)
    path = write(tmp_path / "requirements.txt", "-i ${SIZEFLOOR_TEST_INDEX}\n")
    assert read_requirements(path).index_url == INDEX


def test_a_hash_in_an_expanded_value_is_not_a_comment(tmp_path: Path) -> None:
    # Comments are stripped before expansion, as pip does.
    message = error_of(tmp_path, "-i ${URL}\n", environ={"URL": "https://x.example.invalid/ #x"})
    assert "requirements.txt:1: unexpected '#x' after the options" in message


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    "line",
    [
        f"-i {INDEX}",
        f"-i{INDEX}",
        f"-i={INDEX}",
        f"--index-url {INDEX}",
        f"--index-url={INDEX}",
        f'--index-url "{INDEX}"',
        f"--index {INDEX}",  # optparse accepts unambiguous prefixes
        f"--pypi-url {INDEX}",
    ],
)
def test_index_url_forms(tmp_path: Path, line: str) -> None:
    assert parse(tmp_path, line + "\n").index_url == INDEX


def test_global_options(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    reqs = parse(
        tmp_path,
        f"--index-url {INDEX}\n"
        f"--extra-index-url {MIRROR}\n"
        f"--extra-index-url={MIRROR}\n"
        "--extra-index-url https://other.example.invalid/simple/\n"
        "-f ./wheels\n"
        f"--find-links={FILES}/\n"
        "--find-links /abs/wheels\n"
        "--pre\n"
        "--trusted-host host.example.invalid --trusted-host other.example.invalid:8080\n"
        "--prefer-binary\n"
        "--require-hashes\n"
        "--no-require-hashes\n"
        "--use-feature fast-deps\n",
    )
    assert reqs.index_url == INDEX
    assert reqs.extra_index_urls == (MIRROR, "https://other.example.invalid/simple/")
    assert reqs.find_links == (str(tmp_path / "wheels"), f"{FILES}/", "/abs/wheels")
    assert reqs.pre is True
    assert reqs.trusted_hosts == ("host.example.invalid", "other.example.invalid:8080")
    assert reqs.prefer_binary is True
    assert reqs.no_index is False
    assert reqs.requirements == ()


def test_find_links_relative_to_the_file_that_names_it(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "more.txt", "-f ../wheels\n-f local\n")
    reqs = parse(tmp_path, "-r sub/more.txt\n")
    assert reqs.find_links == (str(tmp_path / "wheels"), str(tmp_path / "sub" / "local"))


def test_index_url_after_extra_index_url_drops_them_like_pip(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # pip issue 11511: pip's finder replaces the whole index list on -i.
    with caplog.at_level(logging.WARNING, logger="sizefloor.inputs.requirements"):
        reqs = parse(
            tmp_path,
            f"--extra-index-url {MIRROR}\n-i {INDEX}\n--extra-index-url https://z.example.invalid/\n",
        )
    assert reqs.index_url == INDEX
    assert reqs.extra_index_urls == ("https://z.example.invalid/",)
    assert "drops the extra index URLs" in caplog.text
    assert "requirements.txt:2" in caplog.text


def test_no_index_drops_every_index(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        f"-i {INDEX}\n--extra-index-url {MIRROR}\n--no-index\n-i {MIRROR}\n"
        "--extra-index-url https://z.example.invalid/\n-f /wheels\n",
    )
    assert reqs.no_index is True
    assert reqs.index_url is None
    assert reqs.extra_index_urls == ()
    assert reqs.find_links == ("/wheels",)


def test_several_global_options_on_one_line(tmp_path: Path) -> None:
    reqs = parse(tmp_path, f"--pre --prefer-binary -i {INDEX}\n")
    assert (reqs.pre, reqs.prefer_binary, reqs.index_url) == (True, True, INDEX)


@pytest.mark.parametrize(
    ("lines", "only_binary", "no_binary"),
    [
        (["--only-binary :all:"], {":all:"}, set()),
        (["--no-binary=:all:"], set(), {":all:"}),
        (["--only-binary Foo_Bar,numpy"], {"foo-bar", "numpy"}, set()),
        (["--only-binary numpy", "--no-binary numpy"], set(), {"numpy"}),
        (["--no-binary :all:", "--only-binary numpy"], {"numpy"}, {":all:"}),
        (["--only-binary a,b", "--only-binary :none:"], set(), set()),
        (["--only-binary a,b", "--only-binary :none:,c"], {"c"}, set()),
        (["--no-binary a", "--only-binary :all:"], {":all:"}, set()),
        (["--only-binary :all:,:none:,x"], {"x"}, set()),
    ],
)
def test_only_binary_and_no_binary(
    tmp_path: Path, lines: list[str], only_binary: set[str], no_binary: set[str]
) -> None:
    reqs = parse(tmp_path, "\n".join(lines) + "\n")
    assert reqs.only_binary == frozenset(only_binary)
    assert reqs.no_binary == frozenset(no_binary)


def test_all_releases_all_is_pre(tmp_path: Path) -> None:
    assert parse(tmp_path, "--all-releases :all:\n").pre is True
    assert "--all-releases numpy is not supported" in error_of(tmp_path, "--all-releases numpy\n")


def test_unknown_option(tmp_path: Path) -> None:
    message = error_of(tmp_path, "requests\n--install-option=--prefix=/x\n")
    assert "requirements.txt:2: unknown option --install-option" in message
    assert "--index-url" in message  # the hint lists what is accepted


def test_unknown_short_option(tmp_path: Path) -> None:
    assert "requirements.txt:1: unknown option -x" in error_of(tmp_path, "-x foo\n")


def test_ambiguous_option(tmp_path: Path) -> None:
    message = error_of(tmp_path, "--no x\n")
    assert "requirements.txt:1: ambiguous option --no" in message
    assert "--no-binary" in message and "--no-index" in message


def test_option_missing_its_value(tmp_path: Path) -> None:
    assert "requirements.txt:3: option -r needs a value" in error_of(tmp_path, "a\nb\n-r\n")
    assert "option --index-url needs a value" in error_of(tmp_path, "--index-url\n")


def test_flag_with_a_value(tmp_path: Path) -> None:
    assert "requirements.txt:1: option --pre does not take a value" in error_of(
        tmp_path, "--pre=yes\n"
    )


def test_text_after_options_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, "--pre requests\n")
    assert "requirements.txt:1: unexpected 'requests' after the options" in message


def test_global_option_on_a_requirement_line_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, f"requests --index-url {INDEX}\n")
    assert "requirements.txt:1: option --index-url on a requirement line" in message
    assert "on a line of its own" in message


def test_unbalanced_quotes(tmp_path: Path) -> None:
    assert "requirements.txt:1: cannot split the options" in error_of(
        tmp_path, "--index-url 'https://x.example.invalid/\n"
    )


# ------------------------------------------------------------------------- per-requirement options


def test_hashes_in_file_order_and_per_requirement_options(tmp_path: Path) -> None:
    h3 = "sha512:" + "d" * 128
    reqs = parse(
        tmp_path,
        f"foo==1 --hash={H2} --hash {H1} --hash={h3}\n"
        "bar==2 --config-settings=--build-option=--x -C key=value --global-option=--quiet\n",
    )
    foo, bar = reqs.requirements
    assert foo.hashes == (H2, H1, h3)
    assert bar.hashes == ()
    assert str(bar.requirement) == "bar==2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("md5:" + "a" * 32, "unsupported hash algorithm 'md5'"),
        ("sha1:" + "a" * 40, "unsupported hash algorithm 'sha1'"),
        ("a" * 64, "is not of the form ALGORITHM:DIGEST"),
        ("sha256:abc", "is not a sha256 digest (64 hexadecimal digits)"),
        ("sha256:" + "z" * 64, "is not a sha256 digest"),
    ],
)
def test_bad_hashes(tmp_path: Path, value: str, expected: str) -> None:
    message = error_of(tmp_path, f"# x\nfoo==1 \\\n  --hash={value}\n")
    assert "requirements.txt:2: " in message
    assert expected in message


def test_hash_on_an_option_line_is_ignored_like_pip(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sizefloor.inputs.requirements"):
        reqs = parse(tmp_path, f"--hash={H1}\n")
    assert reqs.requirements == ()
    assert "--hash without a requirement is ignored" in caplog.text


# --------------------------------------------------------------------------- -r and -c


def test_include_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path / "reqs" / "base.txt", "-r common/shared.txt\nbase-pkg\n")
    write(tmp_path / "reqs" / "common" / "shared.txt", "shared-pkg\n-r ../extra.txt\n")
    write(tmp_path / "reqs" / "extra.txt", "extra-pkg\n")
    top = write(tmp_path / "reqs" / "top.txt", "top-pkg\n--requirement=base.txt\nlast-pkg\n")
    reqs = read_requirements(top)
    d = str(tmp_path / "reqs")
    assert [(r.requirement.name, str(r.origin)) for r in reqs.requirements] == [
        ("top-pkg", f"{d}/top.txt:1"),
        ("shared-pkg", f"{d}/common/shared.txt:1"),
        ("extra-pkg", f"{d}/extra.txt:1"),
        ("base-pkg", f"{d}/base.txt:2"),
        ("last-pkg", f"{d}/top.txt:3"),
    ]
    assert reqs.files == (
        f"{d}/top.txt",
        f"{d}/base.txt",
        f"{d}/common/shared.txt",
        f"{d}/extra.txt",
    )
    assert reqs.requirements[1].origin.comes_from() == f"-r {d}/common/shared.txt (line 1)"


def test_include_paths_keep_the_relative_form_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "reqs" / "base.txt", "base-pkg\n")
    write(tmp_path / "reqs" / "top.txt", "-r base.txt\n")
    monkeypatch.chdir(tmp_path)
    reqs = read_requirements("reqs/top.txt")
    assert reqs.files == ("reqs/top.txt", "reqs/base.txt")
    assert str(reqs.requirements[0].origin) == "reqs/base.txt:1"


@pytest.mark.parametrize("form", ["-r=other.txt", "-rother.txt", "-r other.txt"])
def test_include_short_forms(tmp_path: Path, form: str) -> None:
    write(tmp_path / "other.txt", "pkg\n")
    assert only(parse(tmp_path, form + "\n")).requirement.name == "pkg"


def test_diamond_includes_are_not_cycles(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "-r d.txt\n")
    write(tmp_path / "c.txt", "-r d.txt\n")
    write(tmp_path / "d.txt", "dpkg\n")
    reqs = parse(tmp_path, "-r b.txt\n-r c.txt\n")
    assert [r.requirement.name for r in reqs.requirements] == ["dpkg", "dpkg"]
    assert [Path(f).name for f in reqs.files] == ["requirements.txt", "b.txt", "d.txt", "c.txt"]


def test_include_cycle(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "x\n-r b.txt\n")
    write(tmp_path / "b.txt", "# b\n-r a.txt\n")
    with pytest.raises(RequirementsError) as info:
        read_requirements(a)
    message = str(info.value)
    assert f"{tmp_path}/b.txt:2: include cycle: {tmp_path}/a.txt -> {tmp_path}/b.txt -> " in message
    assert message.count("a.txt") >= 2
    assert info.value.file == f"{tmp_path}/b.txt"
    assert info.value.line == 2


def test_self_include(tmp_path: Path) -> None:
    message = error_of(tmp_path, "-r requirements.txt\n")
    assert "requirements.txt:1: include cycle" in message


def test_constraint_include_cycle(tmp_path: Path) -> None:
    write(tmp_path / "c.txt", "-c requirements.txt\n")
    assert "include cycle" in error_of(tmp_path, "-c c.txt\n")


def test_missing_included_file(tmp_path: Path) -> None:
    message = error_of(tmp_path, "requests\n\n-r sub/missing.txt\n")
    assert (
        f"{tmp_path}/requirements.txt:3: the requirements file named on this line does not exist: "
        f"{tmp_path}/sub/missing.txt"
    ) in message
    message = error_of(tmp_path, "-c nope.txt\n")
    assert "requirements.txt:1: the constraints file named on this line does not exist" in message


def test_missing_top_level_file(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError) as info:
        read_requirements(tmp_path / "nope.txt")
    assert str(info.value).startswith(f"{tmp_path}/nope.txt: no such requirements file")
    assert info.value.hint
    assert info.value.exit_code == 2


def test_top_level_directory(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError, match="is a directory"):
        read_requirements(tmp_path)


def test_include_of_a_url_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, "-r https://u:p@host.example.invalid/reqs.txt\n")
    assert "requirements.txt:1: -r names a URL: https://u:****@host.example.invalid/reqs.txt" in (
        message
    )
    assert "download" in message
    assert "u:p@" not in message
    with pytest.raises(RequirementsError, match="download"):
        read_requirements("https://host.example.invalid/requirements.txt")


def test_include_by_file_url(tmp_path: Path) -> None:
    write(tmp_path / "other.txt", "pkg\n")
    reqs = parse(tmp_path, f"-r {(tmp_path / 'other.txt').as_uri()}\n")
    assert only(reqs).requirement.name == "pkg"


def test_two_includes_on_one_line(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a\n")
    write(tmp_path / "b.txt", "b\n")
    message = error_of(tmp_path, "-r a.txt -r b.txt\n")
    assert "requirements.txt:1: -r shares its line with other options" in message


def test_constraints(tmp_path: Path) -> None:
    write(tmp_path / "constraints.txt", "urllib3<2\nrequests==2.32.3\n-r more.txt\n")
    write(tmp_path / "more.txt", "idna==3.10\n")
    reqs = parse(tmp_path, "requests\n--constraint constraints.txt\n")
    assert [str(r.requirement) for r in reqs.requirements] == ["requests"]
    assert [str(r.requirement) for r in reqs.constraints] == [
        "urllib3<2",
        "requests==2.32.3",
        "idna==3.10",  # -r inside a constraints file: constraints too
    ]
    assert reqs.constraints[0].origin.comes_from(constraint=True) == (
        f"-c {tmp_path}/constraints.txt (line 1)"
    )


def test_options_in_a_constraints_file_apply(tmp_path: Path) -> None:
    write(tmp_path / "c.txt", f"--index-url {INDEX}\nfoo<2\n")
    reqs = parse(tmp_path, "-c c.txt\n")
    assert reqs.index_url == INDEX


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("requests[socks]<3", "constraints cannot have extras"),
        ("-e git+https://git.example.invalid/r.git#egg=r", "editable requirement in a constraints"),
        (f"{FILES}/foo-1.0.tar.gz", "unnamed requirements are not allowed as constraints"),
    ],
)
def test_invalid_constraints(tmp_path: Path, line: str, expected: str) -> None:
    write(tmp_path / "c.txt", f"ok<2\n{line}\n")
    message = error_of(tmp_path, "-c c.txt\n")
    assert f"{tmp_path}/c.txt:2: {expected}" in message


def test_named_url_constraints_are_allowed(tmp_path: Path) -> None:
    write(tmp_path / "c.txt", f"{FILES}/foo-1.0-py3-none-any.whl\nbar @ {FILES}/bar-1.0.tar.gz\n")
    reqs = parse(tmp_path, "-c c.txt\n")
    assert [c.requirement.name for c in reqs.constraints] == ["foo", "bar"]


# --------------------------------------------------------------------------- requirement forms


def test_pep508_requirement_with_extras_and_marker(tmp_path: Path) -> None:
    line = only(parse(tmp_path, 'Name[extra1,extra2]>=1,<2; python_version < "3.11"\n'))
    assert line.requirement.name == "Name"
    assert line.name == "name"
    assert line.requirement.extras == {"extra1", "extra2"}
    assert line.requirement.specifier == SpecifierSet(">=1,<2")
    assert str(line.requirement.marker) == 'python_version < "3.11"'
    assert line.requirement.url is None
    assert line.unsized_reason is None
    assert line.editable is False
    assert line.hashes == ()
    assert line.text == 'Name[extra1,extra2]>=1,<2; python_version < "3.11"'


def test_markers_are_not_evaluated(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        'old; python_version < "2.7"\nwin; sys_platform == "win32"\nnew ; python_version>="3"\n',
    )
    assert [r.requirement.name for r in reqs.requirements] == ["old", "win", "new"]
    assert str(reqs.requirements[0].requirement.marker) == 'python_version < "2.7"'


def test_invalid_marker(tmp_path: Path) -> None:
    message = error_of(tmp_path, "x\nfoo; python_versoin < '3'\n")
    assert "requirements.txt:2: invalid environment marker in \"foo; python_versoin < '3'\"" in (
        message
    )


def test_name_at_wheel_url(tmp_path: Path) -> None:
    url = f"{FILES}/name-1.0-py3-none-any.whl"
    line = only(parse(tmp_path, f'name @ {url} ; python_version >= "3.8"\n'))
    assert line.requirement.name == "name"
    assert line.requirement.url == url
    assert line.requirement.specifier == SpecifierSet()
    assert str(line.requirement.marker) == 'python_version >= "3.8"'
    assert line.unsized_reason is None


def test_name_at_wheel_url_with_another_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, f"other @ {FILES}/name-1.0-py3-none-any.whl\n")
    assert "requirements.txt:1: " in message
    assert "names project 'other' but the wheel is of 'name'" in message


def test_name_at_sdist_url(tmp_path: Path) -> None:
    url = f"{FILES}/name-1.0.tar.gz"
    line = only(parse(tmp_path, f"name[x] @ {url}\n"))
    assert (line.requirement.name, line.requirement.extras, line.requirement.url) == (
        "name",
        {"x"},
        url,
    )
    assert line.unsized_reason == UNSIZED_SOURCE_ARCHIVE
    assert line.unsized_reason == "cannot be sized without building it: source archive"


def test_bare_wheel_url(tmp_path: Path) -> None:
    url = f"{FILES}/Foo_Bar-1.0.post1-py3-none-any.whl"
    line = only(parse(tmp_path, f'{url}; python_version >= "3"\n'))
    assert line.requirement.name == "Foo-Bar"
    assert line.requirement.specifier == SpecifierSet("==1.0.post1")
    assert line.requirement.url == url
    assert str(line.requirement.marker) == 'python_version >= "3"'
    assert line.unsized_reason is None


def test_invalid_wheel_filename(tmp_path: Path) -> None:
    message = error_of(tmp_path, f"{FILES}/not-a-wheel.whl\n")
    assert "requirements.txt:1: " in message
    assert "invalid wheel file name 'not-a-wheel.whl'" in message


def test_bare_sdist_urls(tmp_path: Path) -> None:
    reqs = parse(
        tmp_path,
        f"{FILES}/some_proj-2.0.tar.gz\n"
        f"{FILES}/archive/main.zip#egg=real-name\n"
        f"{FILES}/archive/main.zip\n",
    )
    a, b, c = reqs.requirements
    assert (a.requirement.name, a.unsized_reason) == (
        "some_proj",
        UNSIZED_SOURCE_ARCHIVE + GUESSED_URL,
    )
    assert (b.requirement.name, b.unsized_reason) == ("real-name", UNSIZED_SOURCE_ARCHIVE)
    assert b.requirement.url == f"{FILES}/archive/main.zip#egg=real-name"
    assert (c.requirement.name, c.unsized_reason) == ("main", UNSIZED_SOURCE_ARCHIVE + GUESSED_URL)


def local_wheel_tree(tmp_path: Path) -> tuple[Path, Path]:
    """A requirements file in tmp/project and a wheel in tmp/project/dist."""
    wheel = tmp_path / "project" / "dist" / "foo-1.0-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return tmp_path / "project" / "requirements.txt", wheel


@pytest.mark.parametrize(
    "form",
    [
        "./dist/foo-1.0-py3-none-any.whl",
        "dist/foo-1.0-py3-none-any.whl",
        "{wheel}",
        "{uri}",
        "file:dist/foo-1.0-py3-none-any.whl",
        "./dist/../dist/foo-1.0-py3-none-any.whl",
    ],
)
def test_local_wheel_paths_relative_to_the_requirements_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    requirements, wheel = local_wheel_tree(tmp_path)
    monkeypatch.chdir(tmp_path)  # not the requirements file's directory
    text = form.format(wheel=wheel, uri=wheel.as_uri())
    write(requirements, f"{text}\n")
    line = only(read_requirements(requirements))
    assert line.requirement.name == "foo"
    assert line.requirement.url == wheel.as_uri()
    assert line.requirement.url.startswith("file:///")
    assert line.requirement.specifier == SpecifierSet("==1.0")
    assert line.unsized_reason is None
    assert line.text == text


def test_named_local_wheel_url(tmp_path: Path) -> None:
    requirements, wheel = local_wheel_tree(tmp_path)
    write(requirements, f"foo[x] @ {wheel.as_uri()}\n")
    line = only(read_requirements(requirements))
    assert (line.requirement.name, line.requirement.extras) == ("foo", {"x"})
    assert line.requirement.url == wheel.as_uri()
    assert line.requirement.specifier == SpecifierSet()


def test_local_wheel_with_extras_and_marker(tmp_path: Path) -> None:
    requirements, wheel = local_wheel_tree(tmp_path)
    write(requirements, 'dist/foo-1.0-py3-none-any.whl[cli] ; os_name == "posix"\n')
    line = only(read_requirements(requirements))
    assert line.requirement.extras == {"cli"}
    assert str(line.requirement.marker) == 'os_name == "posix"'
    assert line.requirement.url == wheel.as_uri()


@pytest.mark.parametrize(
    "form",
    [
        "./dist/missing-1.0-py3-none-any.whl",
        "dist/missing-1.0-py3-none-any.whl",
        "missing-1.0-py3-none-any.whl",
    ],
)
def test_missing_local_wheel(tmp_path: Path, form: str) -> None:
    message = error_of(tmp_path, f"ok\n{form}\n")
    assert "requirements.txt:2: " in message
    assert "looks like a path but there is no such file" in message
    assert str(tmp_path / "dist" / "missing-1.0-py3-none-any.whl") in message or (
        str(tmp_path / "missing-1.0-py3-none-any.whl") in message
    )


def test_missing_local_wheel_by_file_url(tmp_path: Path) -> None:
    message = error_of(tmp_path, f"foo @ {(tmp_path / 'foo-1.0-py3-none-any.whl').as_uri()}\n")
    assert "requirements.txt:1: " in message
    assert "names a file that does not exist" in message


def test_local_sdist_is_unsized(tmp_path: Path) -> None:
    sdist = tmp_path / "dist" / "bar-2.0.tar.gz"
    sdist.parent.mkdir()
    sdist.write_bytes(b"")
    reqs = parse(tmp_path, "./dist/bar-2.0.tar.gz\nnamed @ file:dist/bar-2.0.tar.gz\n")
    a, b = reqs.requirements
    assert (a.requirement.name, a.requirement.url) == ("bar", sdist.as_uri())
    assert a.unsized_reason == UNSIZED_SOURCE_ARCHIVE + GUESSED_URL
    assert (b.requirement.name, b.requirement.url) == ("named", sdist.as_uri())
    assert b.unsized_reason == UNSIZED_SOURCE_ARCHIVE


@pytest.mark.parametrize(
    ("text", "name", "url"),
    [
        (
            "git+https://git.example.invalid/org/repo.git@v1.2#egg=real_name",
            "real_name",
            "git+https://git.example.invalid/org/repo.git@v1.2#egg=real_name",
        ),
        (
            "real-name @ git+https://git.example.invalid/org/repo.git@main",
            "real-name",
            "git+https://git.example.invalid/org/repo.git@main",
        ),
        (
            "hg+https://hg.example.invalid/repo#egg=hgproj",
            "hgproj",
            "hg+https://hg.example.invalid/repo#egg=hgproj",
        ),
        (
            "svnproj @ svn+https://svn.example.invalid/trunk",
            "svnproj",
            "svn+https://svn.example.invalid/trunk",
        ),
        (
            "bzr+ssh://bzr.example.invalid/repo#egg=bzrproj&subdirectory=sub",
            "bzrproj",
            "bzr+ssh://bzr.example.invalid/repo#egg=bzrproj&subdirectory=sub",
        ),
    ],
)
def test_vcs_requirements_are_unsized(tmp_path: Path, text: str, name: str, url: str) -> None:
    line = only(parse(tmp_path, text + "\n"))
    assert (line.requirement.name, line.requirement.url) == (name, url)
    assert line.unsized_reason == UNSIZED_VCS
    assert line.editable is False


def test_vcs_without_a_name(tmp_path: Path) -> None:
    line = only(parse(tmp_path, "git+https://git.example.invalid/org/my-repo.git@v1\n"))
    assert line.requirement.name == "my-repo"
    assert line.unsized_reason == UNSIZED_VCS + GUESSED_URL


def test_invalid_egg_fragment(tmp_path: Path) -> None:
    message = error_of(tmp_path, "git+https://git.example.invalid/r.git#egg=foo[bar]\n")
    assert "requirements.txt:1: " in message
    assert "#egg=foo[bar] is not a project name" in message


def test_local_directories_are_unsized(tmp_path: Path) -> None:
    make_project(tmp_path / "root", "root-project")
    make_project(tmp_path / "root" / "src" / "pkg", None)  # setup.py only
    requirements = write(tmp_path / "root" / "requirements.txt", ".\n./src/pkg[dev]\n")
    a, b = read_requirements(requirements).requirements
    assert (a.requirement.name, a.requirement.url) == ("root-project", (tmp_path / "root").as_uri())
    assert a.unsized_reason == UNSIZED_DIRECTORY
    assert (b.requirement.name, b.requirement.extras) == ("pkg", {"dev"})
    assert b.requirement.url == (tmp_path / "root" / "src" / "pkg").as_uri()
    assert b.unsized_reason == UNSIZED_DIRECTORY + GUESSED_DIR


def test_directory_name_from_pyproject_project_table_only(tmp_path: Path) -> None:
    project = tmp_path / "dir_name"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "poetry-name"\n\n[project]\ndynamic = ["version"]\n'
        "name = 'the-name'  # comment\n"
    )
    line = only(parse(tmp_path, "./dir_name\n"))
    assert line.requirement.name == "the-name"
    (project / "pyproject.toml").write_text('[tool.poetry]\nname = "poetry-name"\n')
    line = only(parse(tmp_path, "./dir_name\n"))
    assert line.requirement.name == "dir_name"


def test_directory_that_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    message = error_of(tmp_path, "./empty\n")
    assert "requirements.txt:1: directory" in message
    assert "is not installable" in message


def test_plain_name_is_not_a_directory(tmp_path: Path) -> None:
    make_project(tmp_path / "requests", "something-else")
    assert only(parse(tmp_path, "requests\n")).requirement.url is None


def test_editables(tmp_path: Path) -> None:
    make_project(tmp_path / "src" / "pkg", "my-pkg")
    reqs = parse(
        tmp_path,
        "-e ./src/pkg[dev,test]\n"
        "--editable=git+https://git.example.invalid/r.git@v1#egg=vcs_pkg\n"
        '-e "named @ git+https://git.example.invalid/n.git"\n'
        f"-e {(tmp_path / 'src' / 'pkg').as_uri()}\n"
        "-e src/pkg --config-settings editable_mode=compat\n",
    )
    a, b, c, d, e = reqs.requirements
    assert all(line.editable for line in reqs.requirements)
    assert all(line.unsized_reason == UNSIZED_EDITABLE for line in reqs.requirements)
    assert (a.requirement.name, a.requirement.extras) == ("my-pkg", {"dev", "test"})
    assert a.requirement.url == (tmp_path / "src" / "pkg").as_uri()
    assert a.text == "-e ./src/pkg[dev,test]"
    assert (b.requirement.name, b.requirement.url) == (
        "vcs_pkg",
        "git+https://git.example.invalid/r.git@v1#egg=vcs_pkg",
    )
    assert (c.requirement.name, c.requirement.url) == (
        "named",
        "git+https://git.example.invalid/n.git",
    )
    assert d.requirement.name == "my-pkg"
    assert e.requirement.name == "my-pkg"


def test_editable_without_a_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, "-e git+https://git.example.invalid/r.git\n")
    assert "requirements.txt:1: cannot tell the project name of -e git+https://" in message
    assert "#egg=" in message


@pytest.mark.parametrize("value", [f"{FILES}/foo-1.0.tar.gz", "./does-not-exist", "requests>=2"])
def test_editable_of_something_else(tmp_path: Path, value: str) -> None:
    message = error_of(tmp_path, f"-e {value}\n")
    assert "requirements.txt:1: -e " in message
    assert "directory" in message


def test_unquoted_direct_reference_editable(tmp_path: Path) -> None:
    # shlex splits it; pip would then silently drop "@ git+…" and fail later.
    message = error_of(tmp_path, "-e named @ git+https://git.example.invalid/n.git\n")
    assert "requirements.txt:1: unexpected '@' after -e named" in message
    assert 'Quote the editable requirement: -e "name @ git+https://' in message


def test_editable_and_requirement_on_one_line(tmp_path: Path) -> None:
    assert "a requirement and -e on the same line" in error_of(tmp_path, "foo -e .\n")


def test_duplicates_are_kept(tmp_path: Path) -> None:
    reqs = parse(tmp_path, "requests>=2\nRequests<3\nrequests[socks]\n")
    assert [str(r.requirement) for r in reqs.requirements] == [
        "requests>=2",
        "Requests<3",
        "requests[socks]",
    ]


# --------------------------------------------------------------------------- invalid requirements


def test_invalid_requirement_with_single_equals(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError) as info:
        parse(tmp_path, "ok\n\nfoo=1.0\n")
    assert str(info.value).startswith(
        f"{tmp_path}/requirements.txt:3: invalid requirement 'foo=1.0'"
    )
    assert info.value.hint == "`=` is not a valid operator; did you mean `==`?"
    assert (info.value.file, info.value.line) == (f"{tmp_path}/requirements.txt", 3)


def test_invalid_requirement_that_looks_like_a_path(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError) as info:
        parse(tmp_path, "nope/thing\n")
    assert "requirements.txt:1: invalid requirement 'nope/thing'" in str(info.value)
    assert info.value.hint == (
        f"It looks like a path, but there is no such file: {tmp_path}/nope/thing"
    )


def test_requirements_file_given_as_a_requirement(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "other.txt", "x\n")
    with pytest.raises(RequirementsError) as info:
        parse(tmp_path, "sub/other.txt\n")
    assert info.value.hint is not None and "include it with -r" in info.value.hint


def test_invalid_requirement_generic(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError) as info:
        parse(tmp_path, "foo>=>1\n")
    assert "requirements.txt:1: invalid requirement 'foo>=>1'" in str(info.value)
    assert info.value.hint is not None and "PEP 508" in info.value.hint


def test_direct_reference_to_a_relative_path(tmp_path: Path) -> None:
    message = error_of(tmp_path, "foo @ ./foo\n")
    assert "requirements.txt:1: " in message
    assert "is not a URL sizefloor can use" in message


def test_tab_before_an_option_is_not_a_separator_like_pip(tmp_path: Path) -> None:
    # pip splits a line into requirement and options at spaces only.
    message = error_of(tmp_path, f"foo==1\t--hash={H1}\n")
    assert "requirements.txt:1: invalid requirement" in message


# --------------------------------------------------------------------------- credentials


def test_credentials_kept_in_data_but_never_shown(tmp_path: Path) -> None:
    secret_url = "https://user:s3cret@git.example.invalid/r.git"
    reqs = parse(
        tmp_path,
        "--index-url https://user:s3cret@index.example.invalid/simple/\n"
        "--extra-index-url https://t0ken@mirror.example.invalid/simple/\n"
        "-f https://user:s3cret@links.example.invalid/\n"
        f"pkg @ git+{secret_url}@v1\n"
        f"https://user:s3cret@files.example.invalid/w-1.0-py3-none-any.whl\n",
    )
    vcs, wheel = reqs.requirements
    assert reqs.index_url == "https://user:s3cret@index.example.invalid/simple/"
    assert vcs.requirement.url == f"git+{secret_url}@v1"
    assert (
        wheel.requirement.url == "https://user:s3cret@files.example.invalid/w-1.0-py3-none-any.whl"
    )
    assert vcs.text == "pkg @ git+https://user:****@git.example.invalid/r.git@v1"
    assert wheel.text == "https://user:****@files.example.invalid/w-1.0-py3-none-any.whl"
    shown = repr(reqs) + repr(vcs) + repr(wheel) + str(vcs.origin)
    assert "s3cret" not in shown
    assert "t0ken" not in shown
    assert "user:****@index.example.invalid" in shown


def test_credentials_not_in_error_messages(tmp_path: Path) -> None:
    messages = [
        error_of(tmp_path, "foo=1 @ https://user:s3cret@files.example.invalid/x.whl\n"),
        error_of(tmp_path, "https://user:s3cret@files.example.invalid/bad.whl\n"),
        error_of(tmp_path, "-e https://user:s3cret@files.example.invalid/x.tar.gz\n"),
        error_of(tmp_path, "--pre https://user:s3cret@files.example.invalid/x\n"),
        error_of(
            tmp_path, "other @ https://user:s3cret@files.example.invalid/x-1-py3-none-any.whl\n"
        ),
    ]
    for message in messages:
        assert "s3cret" not in message
        assert "user:****@" in message


# --------------------------------------------------------------------------- encodings


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\xef\xbb\xbfrequests\n")
    assert only(read_requirements(path)).requirement.name == "requests"


def test_utf16_with_bom_like_powershell_writes(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("requests==2.32.3\r\nidna\r\n".encode("utf-16"))
    reqs = read_requirements(path)
    assert [str(r.requirement) for r in reqs.requirements] == ["requests==2.32.3", "idna"]


def test_pep263_coding_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("# -*- coding: latin-1 -*-\nfoo  # café\n".encode("latin-1"))
    assert only(read_requirements(path)).requirement.name == "foo"


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"requests\n# caf\xe9\n")
    with pytest.raises(RequirementsError) as info:
        read_requirements(path)
    assert str(info.value).startswith(f"{path}:2: is not valid utf-8 text (byte 0xe9")
    assert info.value.hint == "Save the file as UTF-8."


def test_non_ascii_utf8_text(tmp_path: Path) -> None:
    assert only(parse(tmp_path, "# ünïcødé comment\nrequests\n")).origin.line == 2


# --------------------------------------------------------------------------- pip-compile


def test_pip_compile_output() -> None:
    path = DATA / "pip-compile.txt"
    reqs = read_requirements(path)
    assert reqs.index_url == INDEX
    assert reqs.extra_index_urls == (MIRROR,)
    assert reqs.files == (str(path),)
    assert [(r.requirement.name, r.origin.line) for r in reqs.requirements] == [
        ("certifi", 10),
        ("charset-normalizer", 14),
        ("click", 18),
        ("colorama", 22),
        ("flask", 26),
        ("idna", 30),
        ("itsdangerous", 34),
        ("jinja2", 38),
        ("markupsafe", 42),
        ("requests", 48),
        ("pysocks", 52),
        ("urllib3", 56),
        ("werkzeug", 60),
    ]
    for line in reqs.requirements:
        assert len(line.hashes) == 2
        assert all(h.startswith("sha256:") and len(h) == 7 + 64 for h in line.hashes)
        assert line.unsized_reason is None
        assert len(line.requirement.specifier) == 1
    colorama = reqs.requirements[3]
    assert str(colorama.requirement.marker) == 'sys_platform == "win32"'
    assert reqs.requirements[9].requirement.extras == {"socks"}
    assert reqs.requirements[0].hashes[0] == (
        "sha256:b84418eeb0b459aefe25596e565f2a3d6c08b511aa9671192bddcb8ff7320ac6"
    )


# --------------------------------------------------------------------------- the other entry points


def test_parse_requirement_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, wheel = local_wheel_tree(tmp_path)
    monkeypatch.chdir(wheel.parent)
    reqs = parse_requirement_strings(
        [
            "requests>=2",
            "numpy==2.1.0; python_version>='3.10'",
            "  foo-1.0-py3-none-any.whl  ",
            "git+https://git.example.invalid/r.git#egg=r",
        ]
    )
    a, b, c, d = reqs.requirements
    assert (str(a.requirement), a.origin) == ("requests>=2", Origin(None, 1))
    assert str(b.requirement.marker) == 'python_version >= "3.10"'
    assert b.origin == Origin(None, 2)
    assert (c.requirement.name, c.requirement.url) == ("foo", wheel.as_uri())
    assert d.unsized_reason == UNSIZED_VCS
    assert reqs.files == ()
    assert reqs.constraints == ()


@pytest.mark.parametrize(
    ("strings", "expected"),
    [
        (["ok", "foo=1"], "<string 2>: invalid requirement 'foo=1'"),
        (["-r requirements.txt"], "<string 1>: '-r requirements.txt' is an option"),
        (["ok", "ok", "   "], "<string 3>: an empty requirement"),
        (["foo --hash=sha256:abc"], "<string 1>: invalid requirement"),
    ],
)
def test_parse_requirement_strings_errors(strings: list[str], expected: str) -> None:
    with pytest.raises(RequirementsError) as info:
        parse_requirement_strings(strings)
    assert str(info.value).startswith(expected)
    assert info.value.hint
    assert info.value.file is None


def test_parse_requirements_text(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "base.txt", "base\n")
    filename = str(tmp_path / "sub" / "requirements.txt")
    reqs = parse_requirements_text(
        "\ufeff-r base.txt\n--pre\nfoo==${V}\n", filename=filename, environ={"V": "3"}
    )
    assert [str(r.requirement) for r in reqs.requirements] == ["base", "foo==3"]
    assert reqs.requirements[1].origin == Origin(filename, 3)
    assert reqs.files == (filename, str(tmp_path / "sub" / "base.txt"))
    assert reqs.pre is True


def test_merged() -> None:
    a = RequirementSet(
        requirements=parse_requirement_strings(["a"]).requirements,
        index_url=INDEX,
        extra_index_urls=(MIRROR,),
        find_links=("/w",),
        trusted_hosts=("h",),
        only_binary=frozenset({"x", "y"}),
        no_binary=frozenset({"z"}),
        files=("a.txt",),
    )
    b = RequirementSet(
        requirements=parse_requirement_strings(["b"]).requirements,
        constraints=parse_requirement_strings(["c<2"]).requirements,
        index_url="https://other.example.invalid/simple/",
        extra_index_urls=(MIRROR, "https://m2.example.invalid/"),
        find_links=("/w", "/v"),
        pre=True,
        trusted_hosts=("h", "i"),
        only_binary=frozenset({"z"}),
        no_binary=frozenset({"x"}),
        prefer_binary=True,
        files=("b.txt", "a.txt"),
    )
    m = a.merged(b)
    assert [r.requirement.name for r in m.requirements] == ["a", "b"]
    assert [r.requirement.name for r in m.constraints] == ["c"]
    assert m.index_url == "https://other.example.invalid/simple/"
    assert m.extra_index_urls == (MIRROR, "https://m2.example.invalid/")
    assert m.find_links == ("/w", "/v")
    assert m.trusted_hosts == ("h", "i")
    assert (m.pre, m.prefer_binary, m.no_index) == (True, True, False)
    assert m.only_binary == frozenset({"y", "z"})
    assert m.no_binary == frozenset({"x"})
    assert m.files == ("a.txt", "b.txt")
    assert a.merged(RequirementSet()).index_url == INDEX
    assert RequirementSet(no_binary=frozenset({":all:"})).merged(a).no_binary == {":all:", "z"}
    assert a.merged(RequirementSet(only_binary=frozenset({":all:"}))).no_binary == frozenset()
    no_index = a.merged(RequirementSet(no_index=True))
    assert (no_index.index_url, no_index.extra_index_urls, no_index.no_index) == (None, (), True)


def test_merged_files_read_separately(tmp_path: Path) -> None:
    one = read_requirements(write(tmp_path / "one.txt", f"-i {INDEX}\nfoo\n"))
    two = read_requirements(write(tmp_path / "two.txt", "--pre\nbar\n"))
    m = one.merged(two)
    assert [r.requirement.name for r in m.requirements] == ["foo", "bar"]
    assert (m.index_url, m.pre) == (INDEX, True)
    assert m.files == (str(tmp_path / "one.txt"), str(tmp_path / "two.txt"))


# --------------------------------------------------------------------------- pip-api as an oracle


def _oracle_view(reqs: RequirementSet) -> dict[str, tuple[str, frozenset[str], str | None]]:
    """What pip-api can express: host-true markers only, keyed by lowercase name."""
    view = {}
    for line in reqs.requirements:
        requirement = line.requirement
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        view[requirement.name.lower()] = (
            str(requirement.specifier),
            frozenset(requirement.extras),
            requirement.url,
        )
    return view


def _pip_api_view(path: Path) -> dict[str, tuple[str, frozenset[str], str | None]]:
    pip_api = pytest.importorskip("pip_api")
    parsed = pip_api.parse_requirements(path)
    return {
        name: (str(SpecifierSet(str(req.specifier))), frozenset(req.extras), req.url)
        for name, req in parsed.items()
    }


def test_oracle_plain_file_with_includes_hashes_and_markers(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "base.txt", "Flask[async]>=3,<4  # web\nidna==3.10\n")
    path = write(
        tmp_path / "requirements.txt",
        "-r sub/base.txt\n"
        f"--index-url {INDEX}\n"
        f"requests[socks,use_chardet_on_py3]~=2.32 ; python_version >= '3' --hash={H1}\n"
        f"urllib3==2.2.3 \\\n    --hash={H1} \\\n    --hash={H2}\n"
        'never ; python_version < "2"\n'
        "pinned===1.0-weird\n"
        f"direct @ {FILES}/direct-1.0.tar.gz\n"
        "vcs @ git+https://git.example.invalid/vcs.git@v1\n",
    )
    ours = read_requirements(path)
    assert _oracle_view(ours) == _pip_api_view(path)
    pip_api = pytest.importorskip("pip_api")
    theirs = pip_api.parse_requirements(path)
    for line in ours.requirements:
        if line.hashes:
            expected: dict[str, list[str]] = {}
            for value in line.hashes:
                algorithm, _, digest = value.partition(":")
                expected.setdefault(algorithm, []).append(digest)
            assert theirs[line.requirement.name.lower()].hashes == expected


def test_oracle_pip_compile_file() -> None:
    path = DATA / "pip-compile.txt"
    ours = read_requirements(path)
    view = _oracle_view(ours)
    assert view == _pip_api_view(path)
    pip_api = pytest.importorskip("pip_api")
    theirs = pip_api.parse_requirements(path)
    for line in ours.requirements:
        if line.requirement.name.lower() in theirs:
            digests = [value.partition(":")[2] for value in line.hashes]
            assert theirs[line.requirement.name.lower()].hashes == {"sha256": digests}


def test_oracle_urls_and_local_wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pip-api resolves local paths against the current directory: run from the file's.
    requirements, wheel = local_wheel_tree(tmp_path)
    shutil.copy(wheel, wheel.parent / "Other_Name-2.0-py3-none-any.whl")
    write(
        requirements,
        "./dist/foo-1.0-py3-none-any.whl\n"
        "dist/Other_Name-2.0-py3-none-any.whl\n"
        f"{FILES}/bare_wheel-3.0-cp312-cp312-manylinux_2_17_x86_64.whl\n"
        f"named @ {FILES}/named-1.0-py3-none-any.whl\n"
        f"{FILES}/sdist-1.0.tar.gz#egg=sdist\n",
    )
    monkeypatch.chdir(requirements.parent)
    ours = read_requirements(requirements)
    theirs = _pip_api_view(requirements)
    assert set(_oracle_view(ours)) == set(theirs)
    for line in ours.requirements:
        specifier, extras, url = theirs[line.requirement.name.lower()]
        assert str(line.requirement.specifier) == specifier
        assert frozenset(line.requirement.extras) == extras
        if url is not None:  # pip-api drops the URL of bare wheels; we keep it
            assert line.requirement.url == url
        else:
            assert line.requirement.url is not None
            assert line.requirement.url.endswith(".whl")
    assert os.path.exists(wheel)
