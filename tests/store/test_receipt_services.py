"""Plan copies and the CP9 through the services and repositories, on SQLite and PostgreSQL: what a saved record
starts (in its transaction), conditional steps, sweeps that never send twice, and the digest's queries."""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.authority import AlreadyDoneError, NotYoursError
from bot.meetings import RecordDraft
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.cp9 import mark_cp9_received, mark_cp9_sent
from bot.services.meeting_records import record_meeting
from bot.services.obligation_sweep import sweep_obligations
from bot.services.receipts import PlanSentInvalidError, confirm_plan_receipt, mark_plan_sent
from bot.sweep import sweep
from store.models import CopyStatus, Cp9Status
from tests.harness import CASE, organisation_file

LONDON = ZoneInfo("Europe/London")
CHANNEL = "C0CASE142"
CHECKLIST = {
    "supports": "Family support worker",
    "monitoring": "Weekly visits",
    "outcomes": "Attendance",
    "contingency": "Reconvene",
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


RECORDED_AT = local(2027, 7, 30, 12, 0)
SENT_AT = local(2027, 8, 3, 10, 0)


@pytest.fixture
def uow_factory(uow_factory):
    """The harness organisation (Scotland) with the case's meeting on Fri 30 Jul 2027 at 10:00."""
    case = {**CASE, "registered_on": "2027-07-20", "first_meeting": "2027-07-30T10:00"}
    with uow_factory() as uow:
        import_organisation(
            parse_organisation_file(organisation_file(cases=[case])), uow=uow, now=local(2027, 7, 21, 9, 0)
        )
        uow.commit()
    return uow_factory


def record(uow_factory, *, at: datetime = RECORDED_AT, commit: bool = True) -> int:
    with uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        (meeting,) = uow.meetings.for_case(case.id)
        draft = RecordDraft(
            meeting_id=meeting.id,
            attended_users=("U0CHAIR", "U0HV", "U0TEACH"),
            attended_labels=("Mother",),
            not_invited_users=("U0TL",),
            not_invited_reason="Decides requests only",
            checklist=CHECKLIST,
        )
        saved = record_meeting(draft, channel=CHANNEL, user="U0CHAIR", uow=uow, now=at)
        if commit:
            uow.commit()
        return saved.id


def the_receipt(uow):
    return uow.receipts.latest_for_case(uow.cases.get_by_reference("CP-2027-0142").id)


def the_cp9(uow):
    return uow.cp9s.latest_for_case(uow.cases.get_by_reference("CP-2027-0142").id)


def send_all(uow_factory, *, at: datetime = SENT_AT) -> None:
    with uow_factory() as uow:
        receipt = the_receipt(uow)
        labels = tuple(c.id for c in receipt.copies if not c.has_slack)
        mark_plan_sent(
            uow=uow, now=at, receipt_id=receipt.id, user="U0CHAIR", labels=labels, how="post", sent_on=at.date()
        )
        uow.commit()


def copy_of(uow, user: str):
    return next(c for c in the_receipt(uow).copies if c.user_id == user)


def owed(uow, kind: str) -> list:
    """The case's open obligations of `kind`, oldest first."""
    return [r for r in uow.obligations.open_for_case(uow.cases.get_by_reference("CP-2027-0142").id) if r.kind == kind]


def chases(uow, kind: str) -> dict[str, object]:
    """When each open obligation of `kind` is next chased, by recipient ('' for the CP9)."""
    return {r.recipient: r.next_step_at for r in owed(uow, kind)}


def test_a_saved_record_starts_both_clocks_in_its_own_transaction(uow_factory):
    record(uow_factory, commit=False)
    with uow_factory() as uow:
        assert the_receipt(uow) is None and the_cp9(uow) is None and uow.outbox.list(kind="plan_to_send") == []
    record_id = record(uow_factory)
    with uow_factory() as uow:
        receipt = the_receipt(uow)
        assert receipt.record_id == record_id and (receipt.held_on, receipt.due_on) == (
            date(2027, 7, 30),
            date(2027, 8, 9),
        )
        assert [(c.user_id or c.label, c.attended, c.status) for c in receipt.copies] == [
            ("U0HV", True, "pending"),
            ("U0TEACH", True, "pending"),
            ("Mother", True, "pending"),
            ("U0POL", False, "pending"),
            ("Father", False, "pending"),
        ]
        # The chair owes each copy: chased on Thu 5 Aug (working day 3), overdue on Tue 10 Aug.
        assert chases(uow, "plan_copy_sent") == dict.fromkeys(
            ("U0HV", "U0TEACH", "Mother", "U0POL", "Father"), local(2027, 8, 5, 9, 0)
        )
        assert {r.overdue_at for r in owed(uow, "plan_copy_sent")} == {local(2027, 8, 10, 9, 0)}
        assert owed(uow, "plan_copy_received") == []  # recipients are chased only once it is sent
        cp9 = the_cp9(uow)
        assert (cp9.form_name, cp9.due_on, cp9.status) == ("CP9", date(2027, 8, 6), "pending")
        assert chases(uow, "cp9_sent") == {"": local(2027, 8, 4, 9, 0)}
        assert {
            (m.kind, m.recipient) for m in uow.outbox.list() if m.kind in ("plan_to_send", "cp9_due", "cp9_to_send")
        } == {("plan_to_send", "U0CHAIR"), ("cp9_due", "U0COORD"), ("cp9_to_send", "U0CHAIR")}
        assert [e.action for e in uow.audit.list() if e.action.endswith("clock_started")] == [
            "plan.clock_started",
            "cp9.clock_started",
        ]


def test_a_record_saved_late_skips_the_reminders_whose_time_has_passed(uow_factory):
    record(uow_factory, at=local(2027, 8, 6, 10, 0))  # Fri 6 Aug: after working day 3 and the CP9's reminders
    send_all(uow_factory, at=local(2027, 8, 6, 11, 0))
    with uow_factory() as uow:
        assert owed(uow, "plan_copy_sent") == []  # all sent: the chair is not reminded
        assert chases(uow, "plan_copy_received") == dict.fromkeys(("U0HV", "U0TEACH", "U0POL"), local(2027, 8, 9, 9, 0))
        assert chases(uow, "cp9_sent") == {"": local(2027, 8, 9, 9, 0)}  # no reminder left: the overdue notice


def test_a_sent_copy_is_confirmed_once_and_only_by_its_recipient(uow_factory):
    record(uow_factory)
    send_all(uow_factory)
    with uow_factory() as uow:
        copy_id = copy_of(uow, "U0HV").id
    with uow_factory() as uow:
        with pytest.raises(NotYoursError):
            confirm_plan_receipt(uow=uow, now=local(2027, 8, 4, 9, 0), copy_id=copy_id, user="U0TEACH")
        confirm_plan_receipt(uow=uow, now=local(2027, 8, 4, 9, 0), copy_id=copy_id, user="U0HV")
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(AlreadyDoneError) as again:
            confirm_plan_receipt(uow=uow, now=local(2027, 8, 4, 9, 5), copy_id=copy_id, user="U0HV")
        assert again.value.yours and again.value.at == local(2027, 8, 4, 9, 0)
        copy = copy_of(uow, "U0HV")
        assert copy.status == CopyStatus.RECEIVED
        assert set(chases(uow, "plan_copy_received")) == {"U0TEACH", "U0POL"}  # their reminders stop
        assert len(uow.audit.list(action="plan.received")) == 1


def test_ticking_people_without_slack_needs_how_and_changes_nothing_without_it(uow_factory):
    record(uow_factory)
    with uow_factory() as uow:
        receipt = the_receipt(uow)
        mother = next(c.id for c in receipt.copies if c.label == "Mother")
        with pytest.raises(PlanSentInvalidError) as problem:
            mark_plan_sent(
                uow=uow,
                now=local(2027, 8, 3, 10, 0),
                receipt_id=receipt.id,
                user="U0CHAIR",
                labels=(mother,),
                how=None,
                sent_on=date(2027, 8, 3),
            )
        assert problem.value.errors == {"how": "Say how you sent it: post, email or by hand."}
    with uow_factory() as uow:
        assert {c.status for c in the_receipt(uow).copies} == {CopyStatus.PENDING}


def test_two_sweeps_at_once_send_each_reminder_once(uow_factory):
    record(uow_factory)
    send_all(uow_factory)
    moment = local(2027, 8, 5, 9, 0)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        results.append(sweep_obligations(uow_factory=uow_factory, now=moment))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(results) == 4  # U0HV, U0TEACH and U0POL, once each (and the chair's CP9 reminder of Wed 4 Aug)
    with uow_factory() as uow:
        reminders = [m for m in uow.outbox.list(kind="plan_copy") if m.payload["occasion"] != "sent"]
        assert sorted(m.recipient for m in reminders) == ["U0HV", "U0POL", "U0TEACH"]
        assert {r.reminders_sent for r in owed(uow, "plan_copy_received")} == {1}
        assert len(uow.audit.list(action="plan.reminded")) == 3


def test_each_recipient_gets_at_most_two_reminders_however_often_the_sweep_runs(uow_factory):
    record(uow_factory)
    send_all(uow_factory)
    for day in (5, 5, 6, 9, 9, 10, 11, 12):
        sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, day, 9, 30))
    with uow_factory() as uow:
        reminders = [m for m in uow.outbox.list(kind="plan_copy") if m.payload["occasion"] != "sent"]
        assert sorted(m.recipient for m in reminders) == ["U0HV", "U0HV", "U0POL", "U0POL", "U0TEACH", "U0TEACH"]
        # Two reminders and the overdue step (told to the chair), then nothing left to chase.
        assert {(r.reminders_sent, r.stage, r.next_step_at) for r in owed(uow, "plan_copy_received")} == {
            (3, "overdue", None)
        }


def test_a_late_sweep_does_not_send_a_reminder_after_the_deadline(uow_factory):
    record(uow_factory)
    send_all(uow_factory)
    sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 10, 9, 0))  # the bot was down until Tuesday
    with uow_factory() as uow:
        assert [m for m in uow.outbox.list(kind="plan_copy") if m.payload["occasion"] != "sent"] == []
        # Only the overdue notices: the reminders whose time passed are skipped (the highest rung, told once).
        assert [m.payload["occasion"] for m in uow.outbox.list(kind="cp9_to_send")] == ["recorded", "overdue"]
        assert [m.payload["occasion"] for m in uow.outbox.list(kind="plan_overdue")] == ["overdue"]
        assert {r.stage for r in owed(uow, "cp9_sent") + owed(uow, "plan_copy_received")} == {"overdue"}


def test_overdue_copies_and_cp9s_are_flagged_once_and_listed_for_the_digest_by_organisation(uow_factory):
    record(uow_factory)
    with uow_factory() as uow:
        assert uow.receipts.overdue_copies(now=local(2027, 8, 9, 23, 59)) == []
        assert uow.cp9s.overdue(now=local(2027, 8, 6, 23, 59)) == []
    for _ in range(2):
        sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 10, 9, 0))
    with uow_factory() as uow:
        organisation = uow.organisations.get_by_name("South Ayrshire Council")
        copies = uow.receipts.overdue_copies(now=local(2027, 8, 11, 9, 0), organisation_id=organisation.id)
        assert [(c.user_id or c.label, c.days_overdue, c.due_on) for c in copies] == [
            ("U0HV", 2, date(2027, 8, 9)),
            ("U0TEACH", 2, date(2027, 8, 9)),
            ("Mother", 2, date(2027, 8, 9)),
            ("U0POL", 2, date(2027, 8, 9)),
            ("Father", 2, date(2027, 8, 9)),
        ]
        assert uow.receipts.overdue_copies(now=local(2027, 8, 11, 9, 0), organisation_id=organisation.id + 1) == []
        (cp9,) = uow.cp9s.overdue(now=local(2027, 8, 11, 9, 0))
        assert (cp9.reference, cp9.days_overdue) == ("CP-2027-0142", 5)
        assert len(uow.outbox.list(kind="plan_overdue")) == 1 and len(uow.audit.list(action="plan.overdue")) == 5
        assert len(uow.audit.list(action="cp9.overdue")) == 1
        assert all(c.overdue_since == local(2027, 8, 10, 9, 0) for c in the_receipt(uow).copies)


def test_the_cp9_is_marked_sent_once_then_received_and_is_no_longer_chased_or_overdue(uow_factory):
    record(uow_factory)
    with uow_factory() as uow:
        cp9_id = the_cp9(uow).id
        with pytest.raises(NotYoursError):
            mark_cp9_sent(uow=uow, now=local(2027, 8, 3, 9, 0), cp9_id=cp9_id, user="U0HV", sent_on=date(2027, 8, 3))
        mark_cp9_sent(
            uow=uow,
            now=local(2027, 8, 3, 9, 0),
            cp9_id=cp9_id,
            user="U0CHAIR",
            sent_on=date(2027, 8, 3),
            note="secure email",
        )
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(AlreadyDoneError):
            mark_cp9_sent(uow=uow, now=local(2027, 8, 3, 9, 5), cp9_id=cp9_id, user="U0CHAIR", sent_on=date(2027, 8, 3))
        with pytest.raises(NotYoursError):
            mark_cp9_received(uow=uow, now=local(2027, 8, 4, 9, 0), cp9_id=cp9_id, user="U0CHAIR")
        mark_cp9_received(uow=uow, now=local(2027, 8, 4, 9, 0), cp9_id=cp9_id, user="U0COORD")
        uow.commit()
    sweep(uow_factory=uow_factory, now=local(2027, 8, 10, 9, 0))
    with uow_factory() as uow:
        sent = [m for m in uow.outbox.list() if m.kind in ("cp9_to_send", "cp9_due") and m.replaces_key is None]
        assert [m.payload["occasion"] for m in sent] == ["recorded", "recorded"]  # nobody is chased about it
        cp9 = the_cp9(uow)
        assert (cp9.status, cp9.sent_note, cp9.received_by) == (Cp9Status.RECEIVED, "secure email", "U0COORD")
        assert owed(uow, "cp9_sent") == owed(uow, "cp9_received") == []
        assert uow.cp9s.overdue(now=local(2027, 8, 10, 9, 0)) == []


def test_the_chair_is_reminded_once_however_often_the_sweep_runs(uow_factory):
    record(uow_factory)
    sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 5, 9, 0))
    sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 5, 9, 1))
    with uow_factory() as uow:
        assert [e.detail["not_sent"] for e in uow.audit.list(action="plan.reminded")] == [5]
        assert [m.recipient for m in uow.outbox.list(kind="plan_to_send")] == ["U0CHAIR", "U0CHAIR"]  # saved, reminded
        assert {r.stage for r in owed(uow, "plan_copy_sent")} == {"reminded"}  # each of the 5 copies, one message
