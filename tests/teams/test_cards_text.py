"""Typed text on Teams cards: inert (no markdown, links in disguise, mentions or reversed words), and people
shown as mentions by name when known, else by role."""

from __future__ import annotations

from datetime import date, datetime, timezone

from teams.cards.text import People, inline, local_date, local_datetime, plain, quoted


def test_typed_markdown_marks_nothing_up():
    assert (
        plain("*a* **b** _c_ ~d~ `e` \\f")
        == "\u2217a\u2217 \u2217\u2217b\u2217\u2217 \uff3fc\uff3f \u223cd\u223c \u02cbe\u02cb \uff3cf"
    )


def test_a_typed_line_cannot_start_a_list_a_heading_or_a_numbered_item():
    assert plain("- a\n+ b\n# c\n  12. d\n3) e") == "\u2010 a\n\uff0b b\n\uff03 c\n  12\u2024 d\n3\uff09 e"
    assert plain("-5 degrees, 1.5 hours, #1") == "-5 degrees, 1.5 hours, #1"  # not markers: left as typed


def test_a_disguised_link_shows_where_it_really_goes():
    assert plain("[your file](https://evil.example/x)") == (
        "\uff3byour file\uff3d([https://evil.example/x](https://evil.example/x))"
    )


def test_a_typed_web_address_is_a_working_link_and_a_full_stop_after_it_stays_outside():
    assert plain("see https://records.example.org/a_b?x=1.") == (
        "see [https://records.example.org/a\uff3fb?x=1](https://records.example.org/a_b?x=1)."
    )


def test_typed_text_cannot_mention_anyone_or_call_a_card_function():
    assert plain("<at>Boss</at> {{DATE(2027-01-01T00:00:00Z)}}") == (
        "\uff1cat\uff1eBoss\uff1c/at\uff1e {\uff5bDATE(2027-01-01T00:00:00Z)}}"
    )


def test_invisible_and_direction_changing_characters_are_dropped():
    assert plain("\u202eevil\u202c zero\u200bwidth") == "evil zerowidth"


def test_inline_text_stays_on_one_line_and_is_cut_before_it_is_made_inert():
    assert inline("a\n b\t c") == "a b c"
    assert inline("*" * 10, limit=5) == "\u2217" * 4 + "\u2026"


def test_a_quote_keeps_typed_lines_apart_inside_its_shaded_box():
    box = quoted("first line\n\n\n  - second\n")
    assert box["style"] == "emphasis"
    assert box["items"][0]["text"] == "first line\n\n\u2010 second"
    assert quoted("")["items"][0]["text"] == "\u2014"


def test_a_person_is_a_mention_by_name_when_known_and_by_role_when_not():
    people = People({"guid-1": "Sam *Jones*"})
    assert people("guid-1", "the chair") == "<at>Sam \u2217Jones\u2217</at>"
    assert people("guid-2", "the team leader") == "<at>team leader</at>"
    assert people("guid-1", "anything") == "<at>Sam \u2217Jones\u2217</at>"  # one person, one mention
    assert people(None, "the chair") == "\u2014"
    assert people.entities == [
        {
            "type": "mention",
            "text": "<at>Sam \u2217Jones\u2217</at>",
            "mentioned": {"id": "guid-1", "name": "Sam \u2217Jones\u2217"},
        },
        {"type": "mention", "text": "<at>team leader</at>", "mentioned": {"id": "guid-2", "name": "team leader"}},
    ]


def test_two_people_shown_by_the_same_words_get_a_number_so_teams_can_tell_them_apart():
    people = People()
    assert [people("a", "member"), people("b", "member"), people("c", "member")] == [
        "<at>member</at>",
        "<at>member (2)</at>",
        "<at>member (3)</at>",
    ]


def test_dates_and_times_read_as_in_slack_in_the_organisations_zone():
    assert local_datetime(datetime(2027, 5, 24, 9, tzinfo=timezone.utc), "Europe/London") == "Mon 24 May 2027, 10:00"
    assert local_datetime("2027-01-04T09:00:00+00:00", "Europe/London") == "Mon 4 Jan 2027, 09:00"
    assert local_date(date(2027, 8, 6)) == local_date("2027-08-06") == "Fri 6 Aug 2027"
    assert local_datetime(None, "Europe/London") == local_date(None) == "not set"
