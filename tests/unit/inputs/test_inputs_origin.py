"""sizefloor.inputs.origin: where a requirement was written, and the error naming it."""

from __future__ import annotations

from sizefloor.errors import InputError, RequirementsError
from sizefloor.inputs.origin import Origin, redact_text

SECRET = "https://user:hunter2@index.example.invalid/simple/"


def test_an_error_in_a_file_names_the_file_and_line() -> None:
    error = Origin("reqs/base.txt", 7).error("something is wrong", "Do this instead.")
    assert isinstance(error, RequirementsError) and isinstance(error, InputError)
    assert (error.file, error.line, error.hint) == ("reqs/base.txt", 7, "Do this instead.")
    assert str(error) == "reqs/base.txt:7: something is wrong\nDo this instead."
    assert error.exit_code == 2


def test_an_error_in_a_string_names_its_position() -> None:
    error = Origin(None, 3).error("an empty requirement", "Give one.")
    assert error.file is None and error.line == 3
    assert str(error).startswith("<string 3>: an empty requirement")


def test_an_error_never_shows_credentials() -> None:
    error = Origin("r.txt", 1).error(f"cannot use {SECRET}", f"Try {SECRET} again.")
    assert "hunter2" not in str(error)
    assert "index.example.invalid" in error.message and "index.example.invalid" in str(error.hint)


def test_redact_text_redacts_every_url_and_leaves_the_rest() -> None:
    text = f"a @ {SECRET} ; b @ git+https://tok@host.example.invalid/r.git plain text"
    shown = redact_text(text)
    assert "hunter2" not in shown and "tok@" not in shown
    assert shown.startswith("a @ https://") and shown.endswith(" plain text")
    assert redact_text("no url here") == "no url here"


def test_comes_from_is_pips_wording() -> None:
    assert Origin("c.txt", 4).comes_from(constraint=True) == "-c c.txt (line 4)"
    assert Origin("r.txt", None).comes_from() == "-r r.txt"
    assert Origin(None, 2).comes_from() == "<string 2>"
    assert str(Origin(None, None)) == "<string>"
