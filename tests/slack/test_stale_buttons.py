"""A button whose value is mangled, empty or names a record that is gone: 200, an ephemeral word, nothing changes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from slack_bolt.request import BoltRequest

from bot.app import build_runtime
from handlers.ids import ActionIds, DeregistrationIds, LetterIds, ReceiptIds, RequestIds

CHAIR, CASE_CHANNEL = "U0CHAIR", "C0CASE142"
BUTTONS = [
    RequestIds.APPROVE,
    RequestIds.REFUSE,
    RequestIds.CONVENE,
    RequestIds.UPHOLD,
    RequestIds.ASK_COORDINATOR,
    ReceiptIds.PLAN_SENT,
    ReceiptIds.CONFIRM,
    ReceiptIds.CP9_SENT,
    ReceiptIds.CP9_RECEIVED,
    LetterIds.GIVE_DETAILS,
    LetterIds.SENT,
    DeregistrationIds.SET_DATE,
    DeregistrationIds.RECORD_OUTCOME,
    ActionIds.DONE,
    ActionIds.CLOSE,
]
STALE = "This button no longer works: what it was for has changed or gone. Nothing was changed."


@pytest.fixture
def case_bot(bot):
    bot.import_organisation()
    return bot


def saved_state(bot) -> tuple[int, int]:
    with bot.services.uow_factory() as uow:
        return len(uow.outbox.list()), len(uow.audit.list())


def click_and_hear(bot, action_id: str, value: str) -> str:
    """Click in the case channel; the one answer must come back ephemerally and be the only thing the bot did."""
    since = bot.fake.mark()
    response = bot.slack.block_action(user_id=CHAIR, action_id=str(action_id), value=value, channel_id=CASE_CHANNEL)
    assert response.status == 200, f"{action_id}={value!r} answered {response.status} {response.body}"
    [answer] = bot.fake.wait_for("response_url", since=since)
    bot.fake.assert_no_call("response_url", where=lambda call: call.seq > answer.seq, within=0.2)
    assert [call.method for call in bot.fake.calls if call.seq > since] == ["response_url"]
    assert answer.params["response_type"] == "ephemeral" and answer.params.get("replace_original") is False
    return answer.params["text"]


@pytest.mark.parametrize("value", ["abc", "", "-1", "1e9", "9" * 40])
def test_a_mangled_button_value_is_explained_to_the_clicker_and_changes_nothing(case_bot, value):
    before = saved_state(case_bot)
    for action_id in BUTTONS:
        assert click_and_hear(case_bot, action_id, value) == STALE
    assert saved_state(case_bot) == before


def test_a_button_for_a_record_that_no_longer_exists_is_explained_and_changes_nothing(case_bot):
    before = saved_state(case_bot)
    for action_id in BUTTONS:
        text = click_and_hear(case_bot, action_id, "999999")
        assert "Incident id" not in text and "no longer" in text, f"{action_id}: {text}"
    assert saved_state(case_bot) == before


def test_a_stale_button_on_the_home_tab_is_explained_in_a_small_window(case_bot):
    since = case_bot.fake.mark()
    home = {"type": "home", "callback_id": "", "blocks": []}
    response = case_bot.slack.block_action(user_id=CHAIR, action_id=str(RequestIds.APPROVE), value="abc", view=home)
    assert response.status == 200
    [opened] = case_bot.fake.wait_for("views.open", since=since)
    assert STALE in str(opened.params["view"])


def test_in_socket_mode_a_stale_button_is_explained_too(case_bot):
    # Socket Mode requests carry no signature: the connection is Slack's own, so they count as verified.
    settings = replace(case_bot.settings, slack_app_token="xapp-test-not-real", slack_signing_secret=None)
    runtime = build_runtime(settings, clock=case_bot.clock, engine=case_bot.engine)
    since = case_bot.fake.mark()
    payload = {
        "type": "block_actions",
        "user": {"id": CHAIR},
        "team": {"id": "T0TEAM"},
        "trigger_id": "1.2.3",
        "channel": {"id": CASE_CHANNEL},
        "container": {"type": "message", "channel_id": CASE_CHANNEL},
        "response_url": case_bot.fake.response_url("socket"),
        "actions": [{"action_id": str(RequestIds.APPROVE), "block_id": "b", "value": "abc", "type": "button"}],
    }
    assert runtime.app.dispatch(BoltRequest(body=payload, mode="socket_mode")).status == 200
    [answer] = case_bot.fake.wait_for("response_url", since=since)
    assert answer.params["text"] == STALE
