"""The coordinator's services on SQLite and PostgreSQL: a record's institution flag in its own transaction, letters
decided once, sweeps and digests that never send twice even when two run at once, and the Home's queries."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.letters import LetterDetails
from bot.meetings import RecordDraft
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.digest import send_daily_digests
from bot.services.home import home_for
from bot.services.letters import mark_letter_sent, request_letter
from bot.services.meeting_records import record_meeting
from bot.services.obligation_sweep import sweep_obligations
from tests.harness import CASE, organisation_file

LONDON = ZoneInfo("Europe/London")
CHECKLIST = {
    "supports": "Family support worker",
    "monitoring": "Weekly visits",
    "outcomes": "Attendance",
    "contingency": "Reconvene",
}
DETAILS = LetterDetails(relationship="Father", kind="prison", institution_name="HMP Kilmarnock", contact="U0HV")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def uow_factory(uow_factory):
    """The harness organisation (Scotland) with the case's meeting on Tue 3 Aug 2027, recorded with the flag."""
    case = {**CASE, "registered_on": "2027-07-20", "first_meeting": "2027-08-03T10:00"}
    with uow_factory() as uow:
        import_organisation(
            parse_organisation_file(organisation_file(cases=[case])), uow=uow, now=local(2027, 7, 21, 9, 0)
        )
        uow.commit()
    with uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        (meeting,) = uow.meetings.for_case(case.id)
        draft = RecordDraft(
            meeting_id=meeting.id,
            attended_users=("U0CHAIR", "U0HV"),
            attended_labels=(),
            checklist=CHECKLIST,
            institution=True,
        )
        record_meeting(draft, channel="C0CASE142", user="U0CHAIR", uow=uow, now=local(2027, 8, 3, 12, 0))
        uow.commit()
    return uow_factory


def owed_for(uow, kind: str):
    """The letter's open obligation of `kind` (None once discharged)."""
    return uow.obligations.find_open(kind=kind, subject_type="letter", subject_id=the_letter(uow).id)


def letter_chases(uow_factory) -> list:
    """Every letter chase the ledger enqueued (the chair's for details, the coordinator's for the letter)."""
    with uow_factory() as uow:
        return [
            (m.kind, m.recipient, m.idempotency_key)
            for m in uow.outbox.list()
            if m.kind in ("letter_to_write", "letter_details_needed")
            and (m.payload or {}).get("occasion") == "reminder"
        ]


def the_letter(uow):
    (letter,) = uow.letters.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
    return letter


def at_once(*calls) -> list:
    """Run each call in its own thread, started together; their results."""
    results: list = []
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            results.append(call())
        except Exception as error:  # noqa: BLE001 - the loser's refusal is part of what is checked
            results.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_a_flagged_record_asks_the_chair_for_the_details_in_the_same_transaction(uow_factory):
    with uow_factory() as uow:
        letter = the_letter(uow)
        owed = owed_for(uow, "letter_details")
        assert (letter.status, letter.requested_by) == ("details_needed", "U0CHAIR")
        assert (owed.owner, owed.next_step_at) == ("U0CHAIR", local(2027, 8, 5, 9, 0))
        (asked,) = uow.outbox.list(kind="letter_details_needed")
        assert asked.recipient == "U0CHAIR" and asked.payload["reference"] == "CP-2027-0142"


def test_two_submissions_of_the_details_at_once_give_one_letter_and_one_task(uow_factory):
    letter_id = _letter_id(uow_factory)

    def give(user):
        def call():
            with uow_factory() as uow:
                request_letter(uow=uow, now=local(2027, 8, 3, 13, 0), user=user, details=DETAILS, letter_id=letter_id)
                uow.commit()
                return user

        return call

    results = at_once(give("U0CHAIR"), give("U0COORD"))
    assert sorted(results) == ["U0CHAIR", "U0COORD"]  # the second is about the same person: it confirms the first
    with uow_factory() as uow:
        assert [(x.id, x.relationship, x.status) for x in uow.letters.for_case(the_letter(uow).case_id)] == [
            (letter_id, "Father", "to_send")
        ]
        actions = sorted(
            e.action for e in uow.audit.list() if e.action.startswith("letter.") and e.action != "letter.flagged"
        )
        assert actions == ["letter.details_confirmed", "letter.requested"]
        assert [m.recipient for m in uow.outbox.list(kind="letter_to_write")] == ["U0COORD"]
        assert [m.recipient for m in uow.outbox.list(kind="letter_draft")] == ["U0COORD"]


def test_two_sweeps_at_once_remind_once_and_a_sent_letter_is_never_chased_again(uow_factory):
    moment = local(2027, 8, 5, 9, 0)
    results = at_once(
        lambda: sweep_obligations(uow_factory=uow_factory, now=moment),
        lambda: sweep_obligations(uow_factory=uow_factory, now=moment),
    )
    assert sorted(results) == [0, 1]
    with uow_factory() as uow:
        owed = owed_for(uow, "letter_details")
        assert (owed.next_step_at, owed.reminders_sent) == (local(2027, 8, 9, 9, 0), 1)
    with uow_factory() as uow:
        request_letter(
            uow=uow, now=local(2027, 8, 5, 10, 0), user="U0CHAIR", details=DETAILS, letter_id=the_letter(uow).id
        )
        uow.commit()
    with uow_factory() as uow:
        assert owed_for(uow, "letter_details") is None
        assert owed_for(uow, "letter_sent").next_step_at == local(2027, 8, 9, 9, 0)
        mark_letter_sent(uow=uow, now=local(2027, 8, 5, 11, 0), letter_id=the_letter(uow).id, user="U0COORD")
        uow.commit()
    before = letter_chases(uow_factory)
    sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 20, 9, 0))
    assert letter_chases(uow_factory) == before
    with uow_factory() as uow:
        assert (the_letter(uow).status, owed_for(uow, "letter_sent")) == ("sent", None)
        letters = [o for o in uow.obligations.for_case(the_letter(uow).case_id) if o.subject_type == "letter"]
        assert [(o.kind, o.status, o.discharged_by) for o in letters] == [
            ("letter_details", "discharged", "U0CHAIR"),
            ("letter_sent", "discharged", "U0COORD"),
        ]


def test_two_sweeps_at_once_send_one_digest(uow_factory):
    moment = local(2027, 8, 4, 9, 0)
    results = at_once(
        lambda: send_daily_digests(uow_factory=uow_factory, now=moment),
        lambda: send_daily_digests(uow_factory=uow_factory, now=moment),
    )
    assert sorted(results) == [0, 1]
    with uow_factory() as uow:
        (digest,) = uow.outbox.list(kind="coordinator_digest")
        assert digest.recipient == "U0COORD" and digest.payload["day"] == "2027-08-04"
        assert len(uow.audit.list(action="digest.sent")) == 1


def test_the_home_of_the_chair_lists_the_letters_details_and_the_coordinators_the_digest(uow_factory):
    with uow_factory() as uow:
        chair = home_for(uow=uow, now=local(2027, 8, 4, 9, 0), user="U0CHAIR")
        coordinator = home_for(uow=uow, now=local(2027, 8, 4, 9, 0), user="U0COORD")
    assert [w.kind for w in chair.waiting] == ["letter_details", "cp9_send", "plan_send"]
    assert chair.digest is None and coordinator.digest is not None
    assert [s.key for s in coordinator.digest.non_empty()] == ["cp9", "letters"]


def _letter_id(uow_factory) -> int:
    with uow_factory() as uow:
        return the_letter(uow).id


def test_a_sent_letter_whose_details_change_is_owed_again_and_chased_from_then(uow_factory):
    with uow_factory() as uow:
        request_letter(uow=uow, now=local(2027, 8, 3, 13, 0), user="U0CHAIR", details=DETAILS, channel="C0CASE142")
        uow.commit()
    with uow_factory() as uow:
        mark_letter_sent(uow=uow, now=local(2027, 8, 3, 14, 0), letter_id=the_letter(uow).id, user="U0COORD")
        uow.commit()
    with uow_factory() as uow:
        moved = LetterDetails(relationship="Father", kind="hospital", institution_name="Crosshouse", contact="U0HV")
        request_letter(uow=uow, now=local(2027, 8, 4, 10, 0), user="U0CHAIR", details=moved, channel="C0CASE142")
        uow.commit()
    with uow_factory() as uow:
        letters = [
            (o.kind, o.status, o.next_step_at)
            for o in uow.obligations.for_case(the_letter(uow).case_id)
            if o.subject_type == "letter"
        ]
        assert the_letter(uow).status == "to_send"
    assert letters == [
        ("letter_details", "discharged", None),
        ("letter_sent", "discharged", None),
        ("letter_sent", "open", local(2027, 8, 6, 9, 0)),
    ]
    sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 6, 9, 0))
    sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 6, 9, 0))
    assert [to for kind, to, _ in letter_chases(uow_factory) if kind == "letter_to_write"] == ["U0COORD"]
