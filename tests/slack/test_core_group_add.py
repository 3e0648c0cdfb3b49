"""`/core-group add @name ROLE`: the chair adds a professional to the core group, audited, the channel told; then
they can be recorded at a meeting and are owed the plan."""

from __future__ import annotations

import pytest

from tests.slack.meeting_steps import (
    CASE_CHANNEL,
    CHAIR,
    CHECKLIST_ANSWERS,
    local,
    modal_errors,
    open_modal,
    posts,
    record,
    submit,
    text_of,
)

NURSE = "U0NURSE"
AFTER_THE_MEETING = local(2027, 5, 24, 11, 30)


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    bot.sweep(local(2027, 5, 17, 10, 0))
    return bot


def add(bot, text: str, *, user: str = CHAIR) -> str:
    """Run `/core-group add ...` in the case channel; the ephemeral answer."""
    mark = bot.fake.mark()
    response = bot.slack.slash_command(command="/core-group", text=f"add {text}", user_id=user, channel_id=CASE_CHANNEL)
    assert response.status == 200
    (reply,) = bot.fake.wait_for("response_url", since=mark)
    assert reply.params["response_type"] == "ephemeral"
    return reply.params["text"]


def roles(bot) -> list[tuple[str, str | None, str | None]]:
    with bot.services.uow_factory() as uow:
        case = uow.cases.get_by_reference("CP-2027-0142")
        return [(r.role, r.user_id, r.label) for r in case.roles]


def test_the_chair_adds_a_professional_and_the_channel_is_told(case_bot):
    said = add(case_bot, f"<@{NURSE}|sam> school nurse")
    assert said == (
        f"<@{NURSE}> is now in the core group of CP-2027-0142 as school nurse: they can be recorded at "
        "meetings and are sent the plan. The case channel is told."
    )
    assert ("member", NURSE, "school nurse") in roles(case_bot)
    mark = case_bot.fake.mark()
    case_bot.dispatch()
    (post,) = posts(case_bot, CASE_CHANNEL, since=mark)
    assert post["text"] == f"<@{NURSE}> joined the core group as school nurse"
    assert "Added by <@U0CHAIR>." in text_of(post)
    with case_bot.services.uow_factory() as uow:
        (event,) = uow.audit.list(action="case.member_added")
        assert (event.actor, event.detail["member"], event.detail["role"]) == (CHAIR, NURSE, "school nurse")


def test_adding_someone_already_in_the_group_says_so_and_changes_nothing(case_bot):
    before = roles(case_bot)
    assert add(case_bot, "<@U0HV> health visitor") == (
        "<@U0HV> is already in the core group of CP-2027-0142: nothing was changed."
    )
    assert roles(case_bot) == before
    case_bot.dispatch()
    assert posts(case_bot, CASE_CHANNEL, kind="joined the core group") == []


def test_only_the_chair_may_add_someone(case_bot):
    assert add(case_bot, f"<@{NURSE}> school nurse", user="U0HV") == (
        "Only the chair of CP-2027-0142 (<@U0CHAIR>) or their chairing delegate can add someone to its core group. "
        "Nothing was changed."
    )
    assert all(user != NURSE for _, user, _ in roles(case_bot))


@pytest.mark.parametrize(
    "text, answer",
    [
        ("", "Say whom to add, as a mention"),
        ("@sam school nurse", "Say whom to add, as a mention"),
        (f"<@{NURSE}>", f"Say what <@{NURSE}> does, as a professional role"),
        (f"<@{NURSE}> Nurse 2 (John Smith, 07700 900000)", "Give their professional role"),
    ],
)
def test_a_missing_mention_or_a_role_that_is_not_a_role_is_refused(case_bot, text, answer):
    assert add(case_bot, text).startswith(answer)
    assert all(user != NURSE for _, user, _ in roles(case_bot))
    with case_bot.services.uow_factory() as uow:
        assert uow.audit.list(action="case.member_added") == []


def test_someone_added_can_be_recorded_as_attending_and_is_owed_the_plan(case_bot):
    add(case_bot, f"<@{NURSE}> school nurse")
    case_bot.at(AFTER_THE_MEETING)
    view = open_modal(case_bot, "record")
    options = {
        o["value"]: o["text"]["text"]
        for o in next(b for b in view["blocks"] if b.get("block_id") == "meeting.attended")["element"]["options"]
    }
    assert options[NURSE] == f"<@{NURSE}> (school nurse)"
    said = record(case_bot, {"meeting.attended": [CHAIR, NURSE]})
    assert said.startswith("Recorded the meeting of Mon 24 May 2027, 10:00: 2 attended, 6 invited but absent")


def test_re_importing_the_organisation_file_keeps_someone_added_in_slack(case_bot):
    add(case_bot, f"<@{NURSE}> school nurse")
    report = case_bot.import_organisation()
    assert report.unchanged == ["CP-2027-0142"]
    assert ("member", NURSE, "school nurse") in roles(case_bot)


def test_an_outsider_cannot_be_recorded_until_the_chair_adds_them(case_bot):
    from sandbox.view_state import options_value, state_from_view

    case_bot.at(AFTER_THE_MEETING)
    view = open_modal(case_bot, "record")
    values = state_from_view(view, CHECKLIST_ANSWERS)
    values["meeting.attended"]["meeting.attended"] = options_value([CHAIR, NURSE])  # crafted: not an option
    response = case_bot.slack.view_submission(user_id=CHAIR, view=view, values=values)
    assert modal_errors(response) == {
        "meeting.attended": (
            "Only people in this core group can be recorded as attending. The chair adds a professional first with "
            "`/core-group add @name ROLE`."
        )
    }
    add(case_bot, f"<@{NURSE}> school nurse")
    assert (
        modal_errors(
            submit(case_bot, open_modal(case_bot, "record"), {**CHECKLIST_ANSWERS, "meeting.attended": [CHAIR, NURSE]})
        )
        == {}
    )
