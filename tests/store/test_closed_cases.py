"""Closed cases on both engines: every sweeper leaves them alone, and everything they hold goes with them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import inspect

from bot.deregistration import DeregistrationDraft, OutcomeDraft
from bot.meetings import ActionDraft, RecordDraft
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.cp9 import start_cp9
from bot.services.deregistration import deregister_case, record_post_dereg_outcome
from bot.services.meeting_records import record_meeting
from bot.services.receipts import start_plan_receipt
from bot.services.retention import apply_retention, review_retention
from bot.sweep import sweep
from store.models import OutboxMessage
from tests.harness import CASE, organisation_file

LONDON = ZoneInfo("Europe/London")
CLOSED, RUNNING = "CP-2027-0142", "CP-2027-0143"
CHECKLIST = {
    "supports": "Family support twice weekly.",
    "monitoring": "Weekly visits.",
    "outcomes": "Attendance above 90%.",
    "contingency": "Reconvene if a visit is refused.",
}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


FIFE_WITH_CP9 = {
    "name": "Fife Council",
    "profile": "fife",
    "eligible_chairs": ["U0CHAIR"],
    "policy": {"cp9": {"enabled": True}},
}


def two_cases_with_a_recorded_meeting(uow_factory) -> None:
    """Two cases alike: the first meeting held on Mon 24 May 2027 and recorded, with an action due in August."""
    # Fife's procedure, with the CP9 turned on by the organisation: every clock a case can hold is running.
    data = organisation_file(
        organisation=FIFE_WITH_CP9, cases=[dict(CASE), dict(CASE, reference=RUNNING, channel="C0CASE143")]
    )
    with uow_factory() as uow:
        import_organisation(parse_organisation_file(data), uow=uow, now=local(2027, 5, 17, 9, 0))
        uow.commit()
    for reference, channel in ((CLOSED, "C0CASE142"), (RUNNING, "C0CASE143")):
        with uow_factory() as uow:
            case = uow.cases.get_by_reference(reference)
            (meeting,) = uow.meetings.for_case(case.id)
            draft = RecordDraft(
                meeting_id=meeting.id,
                attended_users=("U0CHAIR", "U0HV"),
                attended_labels=("Mother",),
                checklist=CHECKLIST,
                actions=(ActionDraft("Refer to CAMHS", "U0HV", None, date(2027, 8, 20)),),
            )
            record = record_meeting(draft, channel=channel, user="U0CHAIR", uow=uow, now=local(2027, 5, 24, 12, 0))
            if uow.receipts.for_record(record.id) is None:  # plan copies and the CP9 start with the record
                start_plan_receipt(uow=uow, case=case, record=record, now=local(2027, 5, 24, 12, 0))
            if uow.cp9s.for_record(record.id) is None:
                start_cp9(uow=uow, case=case, record=record, now=local(2027, 5, 24, 12, 0))
            uow.commit()


def close(uow_factory, reference: str, *, at: datetime) -> None:
    """Deregister the case at a review conference on the day, then record that risks remain reduced."""
    with uow_factory() as uow:
        draft = DeregistrationDraft(at.date(), "U0LP", "U0NP", "consensus", None, at.date() + timedelta(weeks=7))
        row, _ = deregister_case(
            draft, channel=uow.cases.get_by_reference(reference).channel, user="U0CHAIR", uow=uow, now=at
        )
        record_post_dereg_outcome(
            OutcomeDraft(at.date(), False, "single_agency", "Health", activity_reviewed=True),
            uow=uow,
            now=at,
            deregistration_id=row.id,
            user="U0NP",
            expected_count=0,
        )
        uow.commit()


def notices_for(uow_factory, reference: str, *, after: datetime) -> list[str]:
    with uow_factory() as uow:
        case_id = uow.cases.get_by_reference(reference).id
        return [m.kind for m in uow.outbox.list() if m.case_id == case_id and m.created_at > after]


def test_no_sweeper_reminds_anyone_about_a_closed_case_while_the_same_case_left_open_is_reminded(uow_factory):
    two_cases_with_a_recorded_meeting(uow_factory)
    closed_at = local(2027, 5, 24, 13, 0)
    close(uow_factory, CLOSED, at=closed_at)
    day = date(2027, 5, 25)
    while day <= date(2027, 9, 3):
        for hour in (9, 17):
            sweep(uow_factory=uow_factory, now=local(day.year, day.month, day.day, hour, 0))
        day += timedelta(days=1)
    assert notices_for(uow_factory, CLOSED, after=closed_at) == []
    reminded = set(notices_for(uow_factory, RUNNING, after=closed_at))
    assert {"meeting_not_scheduled", "action_due", "cp9_to_send"} <= reminded


def test_every_table_that_holds_a_cases_rows_is_removed_with_it(engine):
    schema = inspect(engine)
    loose = []
    for table in schema.get_table_names():
        for fk in schema.get_foreign_keys(table):
            if fk["referred_table"] == "case":
                rule = (fk.get("options") or {}).get("ondelete")
                if (rule or "").upper() != "CASCADE" and table != "audit_event":  # the audit is removed explicitly
                    loose.append(f"{table}.{fk['constrained_columns'][0]} ON DELETE {rule}")
    assert loose == []


def test_retention_removes_a_closed_case_with_everything_it_holds_and_keeps_the_open_one(uow_factory):
    two_cases_with_a_recorded_meeting(uow_factory)
    close(uow_factory, CLOSED, at=local(2027, 5, 24, 13, 0))
    with uow_factory() as uow:
        assert review_retention(uow=uow, now=local(2034, 5, 23, 12, 0)).cases == []
        review = review_retention(uow=uow, now=local(2034, 5, 24, 12, 0))
        assert [(c.reference, c.closed_on, c.remove_from) for c in review.cases] == [
            (CLOSED, date(2027, 5, 24), date(2034, 5, 24))
        ]
        closed_id = uow.cases.get_by_reference(CLOSED).id
    with uow_factory() as uow:
        report = apply_retention(uow=uow, now=local(2034, 5, 24, 12, 0))
        uow.commit()
    assert report.removed == review.removed
    assert {
        "case",
        "meeting",
        "meeting_record",
        "meeting_attendance",
        "meeting_action",
        "deregistration",
        "outbox",
        "audit_event",
        "case_role",
    } <= set(report.removed)
    with uow_factory() as uow:
        assert uow.retention.rows_for([closed_id]) == {"case": 1}  # only the id asked about: nothing is left
        assert uow.cases.get_by_reference(CLOSED) is None
        assert [m for m in uow.session.query(OutboxMessage).all() if m.case_id == closed_id] == []
        assert uow.cases.get_by_reference(RUNNING) is not None
        (entry,) = uow.audit.list(action="retention.applied")
        assert entry.case_id is None and entry.detail["cases"] == 1 and entry.detail["references"] == [CLOSED]
        assert entry.detail["rows"]["meeting_record"] == 1
        assert uow.audit.list(case_id=closed_id) == []
