"""Actions end to end: the owner, the owner's delegate or the chair marks an action done from its reminder DM, the
Home tab or `/core-group actions`; the chair closes one as no longer needed, with a reason; anyone else is refused
and nothing changes; reminders stop; status and the review conference report say what became of each action."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.authority import Scope
from bot.services.delegates import set_delegate
from tests.slack.coordinator_steps import docx_text, home_buttons, home_click, open_home
from tests.slack.meeting_steps import CASE_CHANNEL, CHAIR, local, posts, record, status_text, text_of
from tests.slack.receipt_steps import (
    answer_to,
    buttons,
    command_reply,
    message_to,
    messages_to,
    press,
    submit_form,
)

CAMHS, COURSE, SAFETY = "Refer to CAMHS", "Attend parenting course", "Review the safety plan"
REMINDED = local(2027, 6, 4, 9, 0)  # Fri 4 Jun 2027: both actions are due and reminded
CLICKED = local(2027, 6, 4, 9, 30)


def record_actions(bot, *extra: dict) -> None:
    """The first meeting is recorded with two actions due Fri 4 Jun 2027 (and any `extra` action rows)."""
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))
    answers = {
        "meeting.action.1.what": CAMHS,
        "meeting.action.1.owner": "U0HV",
        "meeting.action.1.due": "2027-06-04",
        "meeting.action.2.what": COURSE,
        "meeting.action.2.owner_label": "Mother",
        "meeting.action.2.due": "2027-06-04",
    }
    for row in extra:
        answers.update(row)
    record(bot, answers, at=local(2027, 5, 24, 11, 30))
    bot.dispatch()


@pytest.fixture
def case_bot(bot):
    record_actions(bot)
    return bot


def action(bot, description: str):
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return next(a for a in uow.meeting_records.actions_for_case(case.id) if a.description == description)


def audit(bot, name: str) -> list[tuple[str | None, str | None, dict]]:
    with bot.services.uow_factory() as uow:
        return [(e.actor, e.on_behalf_of, e.detail) for e in uow.audit.list(action=name)]


def reminder(bot, user: str) -> dict:
    """The action reminder in `user`'s DM, as it stands now."""
    return message_to(bot, user, "Action due")


def reminder_of(bot, user: str, description: str) -> dict:
    """The reminder in `user`'s DM of the action described, as it stands now."""
    (found,) = [m for m in messages_about_actions(bot, user) if description in str(m.get("blocks"))]
    return found


def messages_about_actions(bot, user: str) -> list[dict]:
    """Every action reminder in `user`'s DM."""
    return [m for m in bot.fake.messages(user) if "Action due" in m.get("text", "")]


def listed(reply: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """`/core-group actions` as read: each action's line with its buttons (label, value)."""
    rows: list[tuple[str, list[tuple[str, str]]]] = []
    for block in reply["blocks"]:
        if block["type"] == "section":
            rows.append((block["text"]["text"], []))
        elif block["type"] == "actions":
            rows[-1][1].extend((e["text"]["text"], e["value"]) for e in block["elements"])
    return rows


def click_in_list(bot, user: str, label: str, value: str):
    """`user` clicks a button on their (ephemeral) `/core-group actions` list."""
    return bot.slack.block_action(
        user_id=user,
        action_id={"Mark done": "action.done", "Close (no longer needed)": "action.close"}[label],
        value=value,
        channel_id=CASE_CHANNEL,
    )


def close_with(bot, reason: str, *, user: str = CHAIR) -> tuple[dict, str | None]:
    """The chair clicks Close on the parenting course in their list and submits the reason modal."""
    ((_, shown),) = [r for r in listed(command_reply(bot, "actions", user=user)) if COURSE in r[0]]
    value = dict(shown)["Close (no longer needed)"]
    mark = bot.fake.mark()
    click_in_list(bot, user, "Close (no longer needed)", value)
    (opened,) = bot.fake.wait_for("views.open", since=mark)
    return submit_form(bot, opened.response["view"], {"action.reason": reason}, user=user)


def test_the_owner_marks_the_action_done_from_its_reminder_which_is_updated_in_place(case_bot):
    case_bot.sweep(REMINDED)
    message = reminder(case_bot, "U0HV")
    assert buttons(message) == {"Mark done": "action.done"}
    case_bot.at(CLICKED)
    response = press(case_bot, "U0HV", message, "Mark done")
    assert answer_to(case_bot, response) == f"Done: “{CAMHS}” is marked done. Its reminders stop."
    case_bot.dispatch()
    updated = reminder(case_bot, "U0HV")
    assert updated["ts"] == message["ts"] and buttons(updated) == {}
    assert ":white_check_mark: Done Fri 4 Jun 2027, 09:30 by <@U0HV>." in text_of(updated)
    done = action(case_bot, CAMHS)
    assert (done.status, done.done_by, done.done_on_behalf_of) == ("done", "U0HV", None)
    assert audit(case_bot, "action.done") == [("U0HV", None, {"action_id": done.id, "overdue": False})]
    mark = case_bot.fake.mark()
    case_bot.sweep(local(2027, 6, 7, 9, 0))
    assert posts(case_bot, "U0HV", kind="Action due", since=mark) == []


def test_an_action_marked_done_before_its_due_date_is_never_reminded(case_bot):
    case_bot.at(local(2027, 6, 1, 10, 0))
    ((_, owned),) = [r for r in listed(command_reply(case_bot, "actions", user="U0HV")) if CAMHS in r[0]]
    assert owned == [("Mark done", str(action(case_bot, CAMHS).id))]
    response = click_in_list(case_bot, "U0HV", "Mark done", owned[0][1])
    assert answer_to(case_bot, response).startswith(f"Done: “{CAMHS}” is marked done.")
    mark = case_bot.fake.mark()
    case_bot.sweep(REMINDED)
    assert posts(case_bot, "U0HV", kind="Action due", since=mark) == []
    assert len(posts(case_bot, CHAIR, kind="Action due", since=mark)) == 1  # the other action still is


def test_the_owners_delegate_marks_it_done_from_the_reminder_sent_to_them(bot):
    record_actions(
        bot, {"meeting.action.3.what": SAFETY, "meeting.action.3.owner": CHAIR, "meeting.action.3.due": "2027-06-04"}
    )
    with bot.services.uow_factory() as uow:  # the chair is away: their chairing delegate stands in
        set_delegate(
            uow=uow,
            now=bot.clock.now(),
            principal=CHAIR,
            delegate="U0DEP",
            until=local(2027, 6, 11, 0, 0).date(),
            scope=Scope.CHAIRING,
        )
        set_delegate(
            uow=uow,
            now=bot.clock.now(),
            principal="U0TL",
            delegate="U0REQ",
            until=local(2027, 6, 11, 0, 0).date(),
            scope=Scope.REQUEST_DECISIONS,
        )
        uow.commit()
    bot.sweep(REMINDED)
    assert messages_about_actions(bot, CHAIR) == []
    message = reminder_of(bot, "U0DEP", SAFETY)
    assert f"You are standing in for <@{CHAIR}>." in text_of(message)
    bot.at(CLICKED)
    response = press(bot, "U0DEP", message, "Mark done")
    assert answer_to(bot, response) == f"Done: “{SAFETY}” is marked done for <@{CHAIR}>. Its reminders stop."
    bot.dispatch()
    assert f"Done Fri 4 Jun 2027, 09:30 by <@U0DEP> for <@{CHAIR}>." in text_of(reminder_of(bot, "U0DEP", SAFETY))
    done = action(bot, SAFETY)
    assert (done.status, done.done_by, done.done_on_behalf_of) == ("done", "U0DEP", CHAIR)
    assert [(actor, on_behalf_of) for actor, on_behalf_of, _ in audit(bot, "action.done")] == [("U0DEP", CHAIR)]
    # A delegation for request decisions covers nothing else: the team leader's stand-in cannot settle actions.
    refused = press(bot, "U0REQ", reminder(bot, "U0HV"), "Mark done")
    assert answer_to(bot, refused).startswith("Only the action's owner (<@U0HV>)")
    assert action(bot, CAMHS).status == "open"


def test_anyone_else_is_refused_ephemerally_and_nothing_changes(case_bot):
    case_bot.sweep(REMINDED)
    message = reminder(case_bot, "U0HV")
    mark = case_bot.fake.mark()
    response = press(case_bot, "U0TEACH", message, "Mark done")
    assert answer_to(case_bot, response) == (
        "Only the action's owner (<@U0HV>), the chair of CP-2027-0142, or one of "
        "their delegates can mark this action done. Nothing was changed."
    )
    response = click_in_list(case_bot, "U0HV", "Close (no longer needed)", str(action(case_bot, CAMHS).id))
    assert answer_to(case_bot, response) == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate "
        "can close this action. Nothing was changed."
    )
    case_bot.dispatch()
    assert case_bot.fake.calls_to("chat.update", since=mark) == []
    assert case_bot.fake.calls_to("views.open", since=mark) == []
    assert buttons(reminder(case_bot, "U0HV")) == {"Mark done": "action.done"}
    assert action(case_bot, CAMHS).status == "open"
    assert audit(case_bot, "action.done") == [] and audit(case_bot, "action.closed") == []


def test_a_second_click_says_who_marked_it_done_and_when(case_bot):
    case_bot.sweep(REMINDED)
    message = reminder(case_bot, "U0HV")
    case_bot.at(CLICKED)
    answer_to(case_bot, press(case_bot, "U0HV", message, "Mark done"))
    again = press(case_bot, "U0HV", message, "Mark done")
    assert answer_to(case_bot, again) == "Already marked done by you at 09:30 on Fri 4 Jun 2027."
    by_chair = click_in_list(case_bot, CHAIR, "Mark done", str(action(case_bot, CAMHS).id))
    assert answer_to(case_bot, by_chair) == "Already marked done by <@U0HV> at 09:30 on Fri 4 Jun 2027."
    assert len(audit(case_bot, "action.done")) == 1


def test_the_chair_marks_done_the_action_of_someone_without_slack_from_their_reminder(case_bot):
    case_bot.sweep(REMINDED)
    message = reminder(case_bot, CHAIR)
    assert "owned by Mother, who has no Slack" in message["text"]
    response = press(case_bot, CHAIR, message, "Mark done")
    assert answer_to(case_bot, response).startswith(f"Done: “{COURSE}” is marked done.")
    assert action(case_bot, COURSE).done_by == CHAIR


def test_the_chair_closes_an_action_as_no_longer_needed_with_a_reason_it_requires(case_bot):
    case_bot.at(local(2027, 6, 2, 14, 0))
    errors, said = close_with(case_bot, "   ")
    assert errors == {"action.reason": "Say why this action is no longer needed."} and said is None
    assert action(case_bot, COURSE).status == "open"
    errors, said = close_with(case_bot, "The course was replaced by home visits")
    assert errors == {}
    assert said == (
        f"Closed: “{COURSE}” is no longer needed. Its reminders stop, and the report shows it closed with your reason."
    )
    closed = action(case_bot, COURSE)
    assert (closed.status, closed.done_by, closed.closed_reason) == (
        "closed",
        CHAIR,
        "The course was replaced by home visits",
    )
    assert audit(case_bot, "action.closed") == [
        (CHAIR, None, {"action_id": closed.id, "overdue": False, "reason_length": 38})
    ]
    mark = case_bot.fake.mark()
    case_bot.sweep(REMINDED)
    assert posts(case_bot, CHAIR, kind="Action due", since=mark) == []


def test_actions_lists_the_cases_actions_only_to_the_asker_with_the_buttons_they_may_use(case_bot):
    case_bot.at(local(2027, 6, 7, 10, 0))  # both are overdue now
    ids = {d: str(action(case_bot, d).id) for d in (CAMHS, COURSE)}
    reply = command_reply(case_bot, "actions", user="U0HV")
    assert reply["response_type"] == "ephemeral"
    assert "2 open of 2. Only you can see this list." in text_of(reply)
    assert listed(reply) == [
        (f"• {CAMHS} — <@U0HV> — due Fri 4 Jun 2027 — *overdue*", [("Mark done", ids[CAMHS])]),
        (f"• {COURSE} — Mother — due Fri 4 Jun 2027 — *overdue*", []),
    ]
    chair = listed(command_reply(case_bot, "actions", user=CHAIR))
    assert [b for _, b in chair] == [
        [("Mark done", ids[d]), ("Close (no longer needed)", ids[d])] for d in (CAMHS, COURSE)
    ]
    assert [b for _, b in listed(command_reply(case_bot, "actions", user="U0TEACH"))] == [[], []]
    refused = command_reply(case_bot, "actions", user="U0STRANGER")
    assert refused["text"] == "You are not in this case's core group. Ask the coordinator if you should be."


def test_status_shows_each_action_done_closed_or_overdue(case_bot):
    case_bot.sweep(REMINDED)
    case_bot.at(CLICKED)
    answer_to(case_bot, press(case_bot, "U0HV", reminder(case_bot, "U0HV"), "Mark done"))
    case_bot.at(local(2027, 6, 7, 10, 0))
    assert "• Refer to CAMHS — <@U0HV> — due Fri 4 Jun 2027 — done Fri 4 Jun 2027, 09:30 by <@U0HV>" in status_text(
        case_bot
    )
    assert "• Attend parenting course — Mother — due Fri 4 Jun 2027 — *overdue*" in status_text(case_bot)
    close_with(case_bot, "Replaced by home visits")
    shown = status_text(case_bot)
    assert "*Actions (0 open of 2)*" in shown
    assert (
        "• Attend parenting course — Mother — due Fri 4 Jun 2027 — closed Mon 7 Jun 2027, 10:00 by <@U0CHAIR> "
        "(no longer needed: Replaced by home visits)"
    ) in shown


def test_the_owner_marks_an_action_done_from_the_home_tab(case_bot):
    case_bot.at(local(2027, 6, 1, 10, 0))
    view = open_home(case_bot, "U0HV")
    assert f"Action due Fri 4 Jun 2027: {CAMHS}" in text_of(view)
    assert ("Mark done", "action.done", str(action(case_bot, CAMHS).id)) in home_buttons(view)
    mark = case_bot.fake.mark()
    home_click(case_bot, "U0HV", view, "Mark done")
    (answer,) = case_bot.fake.wait_for("views.open", since=mark)
    assert text_of(answer.params["view"]) == f"Done: “{CAMHS}” is marked done. Its reminders stop."
    case_bot.fake.wait_for("views.publish", since=mark, where=lambda c: c.params.get("user_id") == "U0HV")
    assert CAMHS not in text_of(case_bot.fake.home_view("U0HV"))
    assert action(case_bot, CAMHS).status == "done"


def test_the_report_shows_actions_done_closed_and_overdue(bot):
    bot.fake.add_user("U0HV", "Priya Patel")
    bot.fake.add_user(CHAIR, "Sam Reid")
    record_actions(
        bot,
        {
            "meeting.action.3.what": "Share the school report",
            "meeting.action.3.owner": "U0TEACH",
            "meeting.action.3.due": "2027-06-04",
        },
    )
    bot.sweep(REMINDED)
    bot.at(CLICKED)
    answer_to(bot, press(bot, "U0HV", reminder(bot, "U0HV"), "Mark done"))
    bot.at(local(2027, 6, 7, 10, 0))
    close_with(bot, "Replaced by home visits")
    bot.at(local(2027, 6, 8, 10, 0))
    report = the_report(bot)
    assert (
        "Refer to CAMHS | Member: Priya Patel | Fri 4 Jun 2027 | done Fri 4 Jun 2027 by Member: Priya Patel" in report
    )
    assert (
        "Attend parenting course | Mother | Fri 4 Jun 2027 | closed Mon 7 Jun 2027 by Chair: Sam Reid "
        "(no longer needed: Replaced by home visits)"
    ) in report
    assert "Share the school report | Member (U0TEACH) | Fri 4 Jun 2027 | overdue" in report


def the_report(bot) -> str:
    """The chair asks for the review conference report; the Word document's text, as read."""
    mark = bot.fake.mark()
    response = bot.slack.slash_command(command="/core-group", text="report", user_id=CHAIR, channel_id=CASE_CHANNEL)
    assert response.status == 200
    bot.fake.wait_for("response_url", where=lambda c: c.params["_key"] == response.trigger_id)
    ids = {
        f["id"]
        for c in bot.fake.calls_to("files.completeUploadExternal", since=mark)
        for f in (c.response or {}).get("files", [])
    }
    (upload,) = [f for f in bot.fake.uploaded_files() if f["file_id"] in ids]
    return docx_text(upload["content"])


# --- the ledger: each open action is owed by its owner, chased on its rungs, closed when settled ------------------


def obligation_of(bot, description: str):
    action_id = action(bot, description).id
    with bot.services.uow_factory() as uow:
        found = [
            o
            for o in uow.obligations.for_case(uow.cases.get_by_reference("CP-2027-0142").id)
            if o.kind == "action" and o.subject_id == action_id
        ]
    (row,) = found
    return row


def test_each_action_is_owed_by_its_owner_or_the_chair_until_the_end_of_its_due_date(case_bot):
    owed, for_mother = obligation_of(case_bot, CAMHS), obligation_of(case_bot, COURSE)
    end_of_due_date = local(2027, 6, 5, 0, 0) - timedelta(microseconds=1)
    assert (owed.status, owed.owner, owed.due_at) == ("open", "U0HV", end_of_due_date)
    assert (owed.remind_at, owed.overdue_at) == (REMINDED, local(2027, 6, 7, 9, 0))
    assert (for_mother.owner_role, for_mother.owner) == ("chair", CHAIR)


def test_an_action_not_done_is_reminded_once_on_its_due_date_then_overdue_to_its_owner_and_the_chair(case_bot):
    case_bot.sweep(REMINDED)
    case_bot.sweep(REMINDED)
    assert len(messages_about_actions(case_bot, "U0HV")) == 1
    case_bot.sweep(local(2027, 6, 7, 9, 0))
    case_bot.sweep(local(2027, 6, 7, 9, 5))
    overdue = messages_to(case_bot, "U0HV", "Action overdue")
    assert [m["text"] for m in overdue] == ["Action overdue: it was due Fri 4 Jun 2027 for CP-2027-0142"]
    assert buttons(overdue[0]) == {"Mark done": "action.done"}
    assert len(messages_to(case_bot, CHAIR, "Action overdue")) == 2  # the owner's, and Mother's (the chair's own)
    assert obligation_of(case_bot, CAMHS).stage == "overdue"
    case_bot.at(local(2027, 6, 7, 10, 0))
    answer_to(
        case_bot,
        press(
            case_bot,
            CHAIR,
            [m for m in messages_to(case_bot, CHAIR, "Action overdue") if CAMHS in text_of(m)][0],
            "Mark done",
        ),
    )
    case_bot.dispatch()
    assert all(buttons(m) == {} for m in messages_to(case_bot, "U0HV", "Action overdue"))
    done = obligation_of(case_bot, CAMHS)
    assert (done.status, done.discharged_by, done.next_step_at) == ("discharged", CHAIR, None)


def test_a_closed_action_is_waived_with_its_reason_and_never_chased_again(case_bot):
    case_bot.at(local(2027, 6, 2, 14, 0))
    close_with(case_bot, "Replaced by home visits")
    waived = obligation_of(case_bot, COURSE)
    assert (waived.status, waived.waived_by, waived.waive_reason) == ("waived", CHAIR, "Replaced by home visits")
    mark = case_bot.fake.mark()
    case_bot.sweep(REMINDED)
    assert [p for p in posts(case_bot, CHAIR, since=mark) if "Action" in p["text"]] == []
    case_bot.sweep(local(2027, 6, 7, 9, 0))
    (told,) = messages_to(case_bot, CHAIR, "Action overdue")  # the other action's, which is still open
    assert CAMHS in text_of(told) and COURSE not in text_of(told)
