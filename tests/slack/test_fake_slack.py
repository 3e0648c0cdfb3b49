"""The local fake of Slack's Web API, exercised with a real slack_sdk WebClient."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from sandbox.fake_slack import FakeSlack, dm_channel_id

_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    # slack_sdk honours HTTP(S)_PROXY and ignores NO_PROXY: keep local calls local.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake():
    with FakeSlack(users={"U0HV": "Health Visitor", "U0TL": "Team Leader"}) as running:
        yield running


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "Request a meeting", **extra) -> dict:
    return {
        "type": "modal",
        "callback_id": "request_modal",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "details",
                "label": {"type": "plain_text", "text": "Details"},
                "element": {"type": "plain_text_input", "action_id": "details_input"},
            }
        ],
        **extra,
    }


# ---------------------------------------------------------------------- basics


def test_the_api_url_ends_with_a_slash_as_webclient_needs(fake):
    assert fake.api_url.startswith("http://127.0.0.1:")
    assert fake.api_url.endswith("/api/")


def test_auth_test_answers_with_the_configured_bot_and_team(client):
    answer = client.auth_test()

    assert answer["ok"] is True
    assert answer["user_id"] == "U0BOT"
    assert answer["bot_id"] == "B0BOT"
    assert answer["team_id"] == "T0TEAM"
    assert answer["url"].startswith("https://")


def test_every_call_is_recorded_with_its_params_and_authorization_header(fake, client):
    client.chat_postMessage(channel="C0CASE", text="hello")

    [call] = fake.calls_to("chat.postMessage")
    assert call.params["channel"] == "C0CASE"
    assert call.params["text"] == "hello"
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.token == "xoxb-test"
    assert call.ok and call.status == 200
    assert call.response["ts"]


def test_a_request_without_a_token_is_not_authed(fake):
    anonymous = WebClient(base_url=fake.api_url)

    with pytest.raises(SlackApiError) as raised:
        anonymous.auth_test()

    assert raised.value.response["error"] == "not_authed"


def test_an_unknown_method_fails_with_unknown_method(client):
    with pytest.raises(SlackApiError) as raised:
        client.api_call("reactions.add", params={"name": "tada"})

    assert raised.value.response["error"] == "unknown_method"


def test_the_server_stops_when_the_context_manager_exits():
    with FakeSlack() as short_lived:
        url = short_lived.api_url

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "auth.test", data=b"", timeout=2)


# ---------------------------------------------------------------------- messages


def test_post_message_returns_increasing_timestamps_and_shows_in_messages(fake, client):
    first = client.chat_postMessage(channel="C0CASE", text="one", blocks=[section("one")])
    second = client.chat_postMessage(channel="C0CASE", text="two")

    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C0CASE"
    assert first["message"]["user"] == "U0BOT"
    assert first["message"]["blocks"] == [section("one")]
    stored = fake.messages("C0CASE")
    assert [m["text"] for m in stored] == ["one", "two"]
    assert [m["ts"] for m in stored] == [first["ts"], second["ts"]]
    assert stored[0]["blocks"] == [section("one")]
    assert stored[0]["user"] == "U0BOT"


def test_a_message_to_a_user_id_goes_to_the_dm_that_conversations_open_returns(fake, client):
    posted = client.chat_postMessage(channel="U0HV", text="Please confirm you have the plan")
    opened = client.conversations_open(users="U0HV")

    assert posted["channel"] == opened["channel"]["id"] == dm_channel_id("U0HV") == "D0HV"
    assert fake.messages("D0HV") == fake.messages("U0HV")
    assert fake.messages("U0HV")[0]["text"] == "Please confirm you have the plan"


def test_chat_update_changes_the_stored_message_in_place(fake, client):
    posted = client.chat_postMessage(channel="C0CASE", text="Pending", blocks=[section("Pending")])
    client.chat_postMessage(channel="C0CASE", text="Another message")

    updated = client.chat_update(channel="C0CASE", ts=posted["ts"], text="Approved", blocks=[section("Approved")])

    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "Approved"
    first, second = fake.messages("C0CASE")
    assert first["ts"] == posted["ts"]
    assert first["text"] == "Approved"
    assert first["blocks"] == [section("Approved")]
    assert second["text"] == "Another message"


def test_chat_update_without_blocks_keeps_the_old_blocks_as_slack_does(fake, client):
    posted = client.chat_postMessage(channel="C0CASE", text="Pending", blocks=[section("Pending")])

    client.chat_update(channel="C0CASE", ts=posted["ts"], text="New fallback text")

    assert fake.messages("C0CASE")[0]["blocks"] == [section("Pending")]


def test_chat_update_of_a_dm_works_with_the_d_channel_id_but_not_the_user_id(fake, client):
    posted = client.chat_postMessage(channel="U0HV", text="Plan sent to you")

    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Received, thank you")
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="U0HV", ts=posted["ts"], text="again")

    assert fake.messages("U0HV")[0]["text"] == "Received, thank you"
    assert raised.value.response["error"] == "channel_not_found"


def test_chat_update_of_an_unknown_ts_fails_with_message_not_found(client):
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="C0CASE", ts="1790000000.000100", text="nothing there")

    assert raised.value.response["error"] == "message_not_found"


def test_a_missing_channel_raises_slack_api_error_channel_not_found(client):
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="", text="to nowhere")

    assert raised.value.response["error"] == "channel_not_found"
    assert raised.value.response.status_code == 200


def test_a_message_without_text_or_blocks_fails_with_no_text(client):
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postMessage", json={"channel": "C0CASE"})

    assert raised.value.response["error"] == "no_text"


def test_form_encoded_blocks_are_decoded_into_lists(fake, client):
    client.api_call(
        "chat.postMessage",
        data={"channel": "C0CASE", "text": "form", "blocks": json.dumps([section("form")])},
    )

    [call] = fake.calls_to("chat.postMessage")
    assert call.params["blocks"] == [section("form")]
    assert fake.messages("C0CASE")[0]["blocks"] == [section("form")]


def test_more_than_fifty_blocks_are_rejected_as_invalid_blocks(client):
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0CASE", text="long", blocks=[section(str(i)) for i in range(51)])

    assert raised.value.response["error"] == "invalid_blocks"
    assert "no more than 50 items" in raised.value.response["response_metadata"]["messages"][0]


def test_a_section_over_three_thousand_characters_is_rejected(client):
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0CASE", text="long", blocks=[section("x" * 3001)])

    assert raised.value.response["error"] == "invalid_blocks"


def test_duplicate_block_ids_are_rejected(client):
    blocks = [dict(section("a"), block_id="same"), dict(section("b"), block_id="same")]

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0CASE", text="dup", blocks=blocks)

    assert raised.value.response["error"] == "invalid_blocks"


def test_block_validation_can_be_switched_off():
    with FakeSlack(validate_blocks=False) as lenient:
        client = WebClient(token="xoxb-test", base_url=lenient.api_url)
        answer = client.chat_postMessage(channel="C0CASE", text="many", blocks=[section("x")] * 60)

    assert answer["ok"] is True


def test_chat_delete_removes_the_message(fake, client):
    posted = client.chat_postMessage(channel="C0CASE", text="oops")

    client.chat_delete(channel="C0CASE", ts=posted["ts"])

    assert fake.messages("C0CASE") == []


def test_post_ephemeral_returns_a_message_ts_and_is_kept_apart_from_channel_messages(fake, client):
    answer = client.chat_postEphemeral(channel="C0CASE", user="U0HV", text="Only you can see this")

    assert answer["message_ts"]
    assert fake.messages("C0CASE") == []
    [ephemeral] = fake.ephemeral_messages(user="U0HV")
    assert ephemeral["channel"] == "C0CASE"
    assert ephemeral["text"] == "Only you can see this"
    assert ephemeral["message_ts"] == answer["message_ts"]


# ---------------------------------------------------------------------- scripted failures


def test_a_scripted_429_answers_retry_after_and_the_next_call_succeeds(fake, client):
    fake.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0CASE", text="first try")
    second = client.chat_postMessage(channel="C0CASE", text="second try")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"
    assert second["ok"] is True
    assert [m["text"] for m in fake.messages("C0CASE")] == ["second try"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


def test_slack_sdks_rate_limit_retry_handler_recovers_from_a_scripted_429(fake):
    client = WebClient(
        token="xoxb-test", base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=1)

    started = time.monotonic()
    answer = client.chat_postMessage(channel="C0CASE", text="after waiting")

    assert answer["ok"] is True
    assert time.monotonic() - started >= 0.9
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_a_scripted_500_raises_and_the_next_call_succeeds(fake, client):
    fake.fail_next("chat.postMessage", status=500)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0CASE", text="first")
    answer = client.chat_postMessage(channel="C0CASE", text="second")

    assert raised.value.response.status_code == 500
    assert answer["ok"] is True


def test_slack_sdks_server_error_retry_handler_retries_a_503(fake):
    quick_retries = ServerErrorRetryHandler(
        max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    client = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[quick_retries])
    fake.fail_next("chat.postMessage", status=503, times=2)

    answer = client.chat_postMessage(channel="C0CASE", text="eventually")

    assert answer["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [503, 503, 200]


def test_a_scripted_slack_error_with_http_200_raises_with_that_error(fake, client):
    fake.fail_next("chat.postMessage", error="not_in_channel")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0CASE", text="not a member")

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "not_in_channel"
    assert fake.calls_to("chat.postMessage")[0].error == "not_in_channel"


def test_scripted_failures_only_affect_the_method_named(fake, client):
    fake.fail_next("chat.update", error="cant_update_message")

    answer = client.chat_postMessage(channel="C0CASE", text="unaffected")

    assert answer["ok"] is True


# ---------------------------------------------------------------------- rate limits


def test_a_per_channel_rate_limit_answers_429_beyond_it_but_not_for_another_channel(fake, client):
    fake.set_rate_limit(per_channel_per_second=1)

    client.chat_postMessage(channel="C0ONE", text="1")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0ONE", text="2")
    other = client.chat_postMessage(channel="C0TWO", text="1")

    assert raised.value.response.status_code == 429
    assert int(raised.value.response.headers["Retry-After"]) >= 1
    assert other["ok"] is True
    assert len(fake.messages("C0ONE")) == 1


def test_a_global_rate_limit_applies_across_channels(fake, client):
    fake.set_rate_limit(global_per_second=1, burst=2)

    client.chat_postMessage(channel="C0ONE", text="1")
    client.chat_postMessage(channel="C0TWO", text="1")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0THREE", text="1")

    assert raised.value.response.status_code == 429


# ---------------------------------------------------------------------- views


def test_views_open_answers_an_id_and_hash_and_views_update_replaces_the_view(fake, client):
    opened = client.views_open(trigger_id="trigger-1", view=modal())
    view_id, first_hash = opened["view"]["id"], opened["view"]["hash"]

    updated = client.views_update(view_id=view_id, hash=first_hash, view=modal(title="Updated"))

    assert view_id.startswith("V")
    assert opened["view"]["callback_id"] == "request_modal"
    assert opened["view"]["state"] == {"values": {}}
    assert updated["view"]["id"] == view_id
    assert updated["view"]["hash"] != first_hash
    assert fake.view(view_id)["title"]["text"] == "Updated"


def test_views_update_with_a_stale_hash_fails_with_hash_conflict(client):
    opened = client.views_open(trigger_id="trigger-1", view=modal())
    client.views_update(view_id=opened["view"]["id"], view=modal(title="Changed"))

    with pytest.raises(SlackApiError) as raised:
        client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=modal())

    assert raised.value.response["error"] == "hash_conflict"


def test_a_trigger_id_can_be_exchanged_for_only_one_view(client):
    client.views_open(trigger_id="trigger-1", view=modal())

    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="trigger-1", view=modal())

    assert raised.value.response["error"] == "exchanged_trigger_id"


def test_a_modal_title_over_twenty_four_characters_is_rejected(client):
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="trigger-1", view=modal(title="Request an additional core group"))

    assert raised.value.response["error"] == "invalid_arguments"
    assert "/view/title" in raised.value.response["response_metadata"]["messages"][0]


def test_views_push_opens_a_new_view_on_the_stack(fake, client):
    pushed = client.views_push(trigger_id="trigger-2", view=modal(title="Second step"))

    assert fake.view(pushed["view"]["id"])["title"]["text"] == "Second step"


def test_views_publish_stores_the_home_tab_per_user(fake, client):
    home = {"type": "home", "blocks": [section("Your cases")]}

    answer = client.views_publish(user_id="U0HV", view=home)

    assert answer["view"]["id"].startswith("V")
    assert fake.home_view("U0HV")["blocks"] == [section("Your cases")]
    assert fake.home_view("U0TL") is None


# ---------------------------------------------------------------------- users


def test_users_info_gives_the_display_name_and_london_time_zone(client):
    user = client.users_info(user="U0HV")["user"]

    assert user["id"] == "U0HV"
    assert user["profile"]["display_name"] == "Health Visitor"
    assert user["real_name"] == "Health Visitor"
    assert user["tz"] == "Europe/London"


def test_users_info_of_an_unknown_user_fails_with_user_not_found(client):
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U0NOBODY")

    assert raised.value.response["error"] == "user_not_found"


# ---------------------------------------------------------------------- files


def test_files_upload_v2_round_trips_the_bytes_title_and_channel(fake, client):
    document = b"%PDF-1.7 CP9 for CP-2027-0142\x00\xff"

    answer = client.files_upload_v2(
        channel="C0COORD", content=document, filename="cp9.pdf", title="CP9", initial_comment="CP9 attached"
    )

    [uploaded] = fake.uploaded_files()
    assert uploaded["content"] == document
    assert uploaded["filename"] == "cp9.pdf"
    assert uploaded["title"] == "CP9"
    assert uploaded["channel_id"] == "C0COORD"
    assert uploaded["initial_comment"] == "CP9 attached"
    assert answer["file"]["id"] == uploaded["file_id"]
    assert fake.messages("C0COORD")[0]["files"][0]["id"] == uploaded["file_id"]
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "file_upload",
        "files.completeUploadExternal",
    ]


def test_files_upload_v2_from_a_file_path_round_trips_the_bytes(fake, client, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Governor,\n", encoding="utf-8")

    client.files_upload_v2(channel="C0COORD", file=str(letter), title="Letter draft")

    [uploaded] = fake.uploaded_files()
    assert uploaded["content"] == b"Dear Governor,\n"
    assert uploaded["filename"] == "letter.txt"


def test_completing_an_upload_that_was_never_sent_fails_with_file_not_found(client):
    ticket = client.files_getUploadURLExternal(filename="report.txt", length=3)

    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "Report"}])

    assert raised.value.response["error"] == "file_not_found"


def test_the_retired_files_upload_method_fails_with_method_deprecated(client):
    with pytest.raises(SlackApiError) as raised:
        client.api_call("files.upload", data={"channels": "C0COORD", "content": "old way"})

    assert raised.value.response["error"] == "method_deprecated"


# ---------------------------------------------------------------------- response_url


def test_a_post_to_a_response_url_is_recorded_with_its_key(fake):
    url = fake.response_url("interaction-1")

    answer = WebhookClient(url).send(text="Done", replace_original=True)

    assert answer.status_code == 200
    [call] = fake.wait_for("response_url")
    assert call.params["_key"] == "interaction-1"
    assert call.params["text"] == "Done"
    assert call.params["replace_original"] is True


def test_a_response_url_can_be_scripted_to_fail(fake):
    fake.fail_next("response_url", status=404, error="expired_url")

    answer = WebhookClient(fake.response_url("old")).send(text="too late")

    assert answer.status_code == 404


# ---------------------------------------------------------------------- waiting and assertions


def test_wait_for_returns_calls_that_arrive_from_another_thread_while_waiting(fake, client):
    threading.Timer(0.2, lambda: client.chat_postMessage(channel="C0CASE", text="later")).start()

    calls = fake.wait_for("chat.postMessage", timeout=5)

    assert calls[0].params["text"] == "later"


def test_wait_for_raises_a_readable_assertion_error_listing_what_was_called(fake, client):
    client.chat_postMessage(channel="C0CASE", text="Meeting on Tuesday")

    with pytest.raises(AssertionError) as raised:
        fake.wait_for("views.open", timeout=0.2)

    message = str(raised.value)
    assert "expected at least 1 call(s) to views.open within 0.2s, but saw 0" in message
    assert "chat.postMessage channel=C0CASE text='Meeting on Tuesday' -> ok" in message


def test_wait_for_filters_with_where_and_counts(fake, client):
    for text in ("a", "b", "c"):
        client.chat_postMessage(channel="C0CASE", text=text)

    calls = fake.wait_for("chat.postMessage", count=2, where=lambda c: c.params["text"] != "b")

    assert [c.params["text"] for c in calls] == ["a", "c"]


def test_a_mark_limits_waiting_to_calls_made_after_it(fake, client):
    client.chat_postMessage(channel="C0CASE", text="before")
    mark = fake.mark()

    with pytest.raises(AssertionError):
        fake.wait_for("chat.postMessage", since=mark, timeout=0.1)
    client.chat_postMessage(channel="C0CASE", text="after")

    assert [c.params["text"] for c in fake.wait_for("chat.postMessage", since=mark)] == ["after"]


def test_assert_no_call_passes_when_nothing_matching_arrives(fake, client):
    client.chat_postMessage(channel="C0OTHER", text="elsewhere")

    fake.assert_no_call("chat.postMessage", within=0.1, where=lambda c: c.params["channel"] == "C0CASE")

    assert len(fake.calls) == 1


def test_assert_no_call_fails_when_a_matching_call_arrives(fake, client):
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C0CASE", text="surprise")).start()

    with pytest.raises(AssertionError) as raised:
        fake.assert_no_call("chat.postMessage", within=2)

    assert "surprise" in str(raised.value)


def test_reset_clears_calls_failures_and_messages(fake, client):
    client.chat_postMessage(channel="C0CASE", text="old")
    fake.fail_next("chat.postMessage", error="fatal_error")

    fake.reset()
    answer = client.chat_postMessage(channel="C0CASE", text="new")

    assert answer["ok"] is True
    assert [m["text"] for m in fake.messages("C0CASE")] == ["new"]
    assert [c.params["text"] for c in fake.calls] == ["new"]
