"""Institution letters as pure rules: what the details form accepts, when a letter not sent is chased, and a draft
that names the person only by their relationship, with marked blanks for everything personal."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document

from bot.calendar import WorkingCalendar
from bot.documents import build_letter_docx
from bot.letters import LetterDraft, check_details
from bot.obligations import Stage, ladder_for, next_after, rung_times
from bot.policy import load_policy

LONDON = ZoneInfo("Europe/London")
ENGLAND = WorkingCalendar(nation="england")


def test_complete_details_are_accepted_with_spaces_tidied():
    details, errors = check_details(
        relationship="  Father ", kind="prison", institution_name="HMP  Durham", contact="U0HV"
    )
    assert errors == {} and (details.relationship, details.institution_name) == ("Father", "HMP Durham")


def test_every_missing_or_personal_detail_is_named():
    _, errors = check_details(relationship="Jane Doe 01/02/1990", kind="castle", institution_name=" ", contact=None)
    assert set(errors) == {"relationship", "kind", "name", "contact"}
    assert "no names, dates or numbers" in errors["relationship"]


def test_a_letter_is_chased_two_working_days_later_at_nine_then_every_two_working_days():
    ladder = ladder_for(load_policy("england").obligations, "letter_sent")
    friday = datetime(2027, 8, 27, 15, 0, tzinfo=LONDON)  # Mon 30 Aug 2027 is England's summer bank holiday
    first = datetime(2027, 9, 1, 9, 0, tzinfo=LONDON)
    assert rung_times(ladder, friday, ENGLAND).overdue_at == first
    saturday = datetime(2027, 8, 28, 10, 0, tzinfo=LONDON)
    assert rung_times(ladder, saturday, ENGLAND).overdue_at == first
    times = rung_times(ladder, friday, ENGLAND)
    assert next_after(ladder, times, stage=Stage.OVERDUE, last_step_at=first, calendar=ENGLAND) == datetime(
        2027, 9, 3, 9, 0, tzinfo=LONDON
    )


def test_the_draft_is_addressed_to_the_head_with_blanks_for_the_persons_details():
    draft = LetterDraft(
        organisation="Kent County Council",
        reference="CP-2027-0142",
        dated=date(2027, 8, 27),
        relationship="Mother",
        kind="hospital",
        institution_name="Maidstone Hospital",
        contact_name=None,
        contact_title=None,
    )
    document = Document(io.BytesIO(build_letter_docx(draft)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "The Chief Executive\nMaidstone Hospital\nOur reference: CP-2027-0142\nDate: 27 August 2027" in text
    assert "Re: [full name — fill in], date of birth [date of birth — fill in], hospital number" in text
    assert "the mother of a child who is subject to a child protection plan" in text
    assert "[name of the professional to contact — fill in]" in text  # no name could be looked up
    assert text.startswith("Kent County Council")
    assert document.core_properties.author == "Co-ordinator, Children Services, Kent County Council"
