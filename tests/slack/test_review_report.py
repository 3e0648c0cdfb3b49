"""`/core-group report` end to end: the core group's report to the review conference for a case with three
meetings, as a Word document in the requester's DM (read back here), who may have it, and the audit of each access."""

from __future__ import annotations

import pytest

from bot.services.delegates import set_delegate
from tests.slack.coordinator_steps import docx_text
from tests.slack.meeting_steps import CHAIR, COORDINATOR, local, schedule
from tests.slack.receipt_steps import case_meeting_at, message_to, press_and_open, record_meeting, submit_form
from tests.slack.request_steps import dms, make_request, refuse

FIRST = local(2027, 5, 24, 10, 0)  # Mon 24 May 2027
REPORT = "core-group-report-CP-2027-0142-"


def outcome(n: int) -> dict:
    return {"meeting.checklist.outcomes": f"Outcome agreed at meeting {n}: school attendance above 90%."}


@pytest.fixture
def three_meetings(bot):
    for user, name in (("U0CHAIR", "Sam Reid"), ("U0HV", "Priya Patel"), ("U0TL", "Alex Morgan")):
        bot.fake.add_user(user, name)
    case_meeting_at(bot, FIRST)
    record_meeting(
        bot,
        at=local(2027, 5, 24, 11, 30),
        answers={
            **outcome(1),
            "meeting.flags": ["significant_amendment"],
            "meeting.action.1.what": "Refer to CAMHS",
            "meeting.action.1.owner": "U0HV",
            "meeting.action.1.due": "2027-06-04",
        },
    )
    bot.at(local(2027, 5, 26, 10, 0))
    view = press_and_open(bot, CHAIR, message_to(bot, CHAIR, "Send the CP9 for CP-2027-0142"), "Mark CP9 sent")
    assert submit_form(bot, view, {"receipt.cp9_when": "2027-05-26"})[0] == {}
    make_request(bot, at=local(2027, 6, 1, 9, 30))
    (decision,) = dms(bot, "U0TL")
    refuse(
        bot, user="U0TL", message=decision, reason="The next meeting is in three weeks", when=local(2027, 6, 1, 11, 0)
    )
    schedule(bot, {"meeting.date": "2027-06-21", "meeting.time": "10:00"}, at=local(2027, 6, 2, 9, 0))
    record_meeting(
        bot,
        at=local(2027, 6, 21, 11, 30),
        answers={**outcome(2), "meeting.attended": [CHAIR, "U0HV", "U0POL", "p:Mother", "p:Father"]},
    )
    schedule(bot, {"meeting.date": "2027-07-26", "meeting.time": "10:00"}, at=local(2027, 6, 22, 9, 0))
    record_meeting(bot, at=local(2027, 7, 26, 11, 30), answers=outcome(3))
    bot.at(local(2027, 7, 28, 14, 0))
    return bot


def ask_for_the_report(bot, user: str) -> tuple[dict, list[dict]]:
    mark = bot.fake.mark()
    response = bot.slack.slash_command(command="/core-group", text="report", user_id=user, channel_id="C0CASE142")
    assert response.status == 200
    (reply,) = bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    ids = {
        f["id"]
        for c in bot.fake.calls_to("files.completeUploadExternal", since=mark)
        for f in (c.response or {}).get("files", [])
    }
    return reply.params, [f for f in bot.fake.uploaded_files() if f["file_id"] in ids]


def report_audit(bot) -> list[tuple[str | None, str | None, int | None]]:
    with bot.services.uow_factory() as uow:
        return [(e.actor, e.on_behalf_of, e.case_id) for e in uow.audit.list(action="report.generated")]


def test_the_chair_gets_the_report_of_three_meetings_as_a_document_in_their_dm(three_meetings):
    reply, (upload,) = ask_for_the_report(three_meetings, CHAIR)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        "The report for CP-2027-0142 is in your messages from the app, as a Word document "
        "(3 meetings held against 3 due: 2 on time, 1 late.). Your access is recorded."
    )
    assert upload["channel_id"] == "D0CHAIR" and upload["filename"] == f"{REPORT}2027-07-28.docx"
    report = docx_text(upload["content"])
    for words in (
        "Core group report to the review child protection conference",
        "Case reference | CP-2027-0142",
        "Prepared | Wed 28 Jul 2027, 14:00, for Sam Reid",
        "3 meetings held against 3 due: 2 on time, 1 late.",
        # 1. meetings against their due dates
        "Mon 24 May 2027 | Held on time | Mon 24 May 2027 | —",
        "Thu 24 Jun 2027 | Held on time | Mon 21 Jun 2027 | —",
        "Wed 21 Jul 2027 | Held late | Mon 26 Jul 2027 | 5",
        # 2. attendance by role, one column per meeting
        "Role | Mon 24 May 2027 | Mon 21 Jun 2027 | Mon 26 Jul 2027",
        "Chair: Sam Reid | attended | attended | attended",
        "Member: Priya Patel | attended | attended | attended",
        "Member (U0POL) | absent | attended | absent",
        "Father | absent | attended | absent",
        "Team leader: Alex Morgan | not invited | not invited | not invited",
        "Not invited to the meeting of Mon 24 May 2027: Team leader: Alex Morgan. Reason given by the chair: "
        "The team leader decides requests and does not attend core group meetings.",
        # 3. the four points, per meeting
        "Meeting of Mon 21 Jun 2027",
        "Outcome agreed at meeting 2: school attendance above 90%.",
        "Contingency plan: If a visit is refused twice, the chair reconvenes the group.",
        # 4. actions
        "Refer to CAMHS | Member: Priya Patel | Fri 4 Jun 2027 | overdue | Mon 24 May 2027",
        # 5. plan copies and the CP9
        "CP9 due Fri 28 May 2027: sent Wed 26 May 2027, on time; not marked received",
        "CP9 due Mon 28 Jun 2027: not sent, 30 days overdue; not marked received",
        "5 recipients, due Tue 1 Jun 2027: 0 on time, 0 late, 5 outstanding",
        # 6. requests and decisions
        "Refused by the team leader on Tue 1 Jun 2027: The next meeting is in three weeks",
        # 7. referrals
        "Referred for significant amendment of the plan: the meeting of Mon 24 May 2027.",
    ):
        assert words in report, words
    assert report.count("Supports and resources required, in particular access to specialist resources:") == 3
    assert report_audit(three_meetings) == [(CHAIR, None, _case_id(three_meetings))]


def test_the_coordinator_can_have_the_report_too(three_meetings):
    reply, (upload,) = ask_for_the_report(three_meetings, COORDINATOR)
    assert upload["channel_id"] == "D0COORD"
    assert "Referred for significant amendment" in docx_text(upload["content"])
    assert report_audit(three_meetings) == [(COORDINATOR, None, _case_id(three_meetings))]


def test_a_member_is_refused_the_report_ephemerally_and_nothing_is_uploaded_or_audited(three_meetings):
    reply, uploads = ask_for_the_report(three_meetings, "U0HV")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        "Only the chair (<@U0CHAIR>), the coordinator, or their delegates for chairing or the "
        "coordinator's work can have the review conference report for CP-2027-0142. "
        "Nothing was changed."
    )
    assert uploads == [] and three_meetings.fake.calls_to("files.completeUploadExternal") == []
    assert report_audit(three_meetings) == []


def test_the_chairs_delegate_gets_the_report_and_the_audit_says_for_whom(three_meetings):
    with three_meetings.services.uow_factory() as uow:
        set_delegate(
            uow=uow,
            now=three_meetings.clock.now(),
            principal=COORDINATOR,
            delegate="U0DEP",
            until=local(2027, 8, 6, 0, 0).date(),
        )
        uow.commit()
    reply, (upload,) = ask_for_the_report(three_meetings, "U0DEP")
    assert upload["channel_id"] == "D0DEP"
    assert report_audit(three_meetings) == [("U0DEP", COORDINATOR, _case_id(three_meetings))]


def _case_id(bot) -> int:
    with bot.services.uow_factory() as uow:
        return uow.cases.get_by_reference("CP-2027-0142").id
