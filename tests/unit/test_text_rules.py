"""Typed text: which control characters are refused (bot.text), and how it is shown (handlers.render)."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInputError
from bot.text import control_character_problem, require_plain_text
from handlers.render import echo, inline, quote


def test_text_with_line_breaks_tabs_and_any_script_is_taken():
    assert control_character_problem("Line one\n\tline two — café, Zoë, 学校") is None
    assert control_character_problem(None) is None
    assert require_plain_text("fine") == "fine"


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("ab\x00", "position 3 (NUL, U+0000)"),
        ("\x1b[31m", "position 1 (escape, U+001B)"),
        ("a\rb", "position 2 (carriage return, U+000D)"),
        ("a\x85", "position 2 (U+0085)"),
    ],
)
def test_the_first_control_character_is_named_with_its_position(typed, named):
    assert f"Remove the control character at {named}" in control_character_problem(typed)
    with pytest.raises(InvalidInputError, match="Remove the control character"):
        require_plain_text(typed)


def test_a_quote_keeps_every_line_inside_it_and_marks_nothing_up():
    assert quote("ok\n*Decision:* APPROVED\n\n_x_ ~y~ `z`") == (
        "> ok\n> \u2217Decision:\u2217 APPROVED\n>\n> \uff3fx\uff3f \u223cy\u223c \u02cbz\u02cb"
    )


def test_a_quote_escapes_mentions_drops_invisible_characters_and_keeps_links_working():
    shown = quote("<!channel> \u202eevil\u202c zero\u200bwidth https://records.example.org/a_b?x=1&y=2")
    assert shown == "> &lt;!channel&gt; evil zerowidth <https://records.example.org/a_b?x=1&amp;y=2>"


def test_inline_text_stays_on_one_line_and_is_cut_before_escaping():
    assert inline("Mother\n*Decision*") == "Mother \u2217Decision\u2217"
    assert inline("<<<<<<", limit=4) == "&lt;&lt;&lt;\u2026"


def test_an_echo_cannot_close_its_code_span():
    assert echo("x`<!here>`") == "`x\u02cb&lt;!here&gt;\u02cb`"
