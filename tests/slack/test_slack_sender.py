"""SlackSender signs and shapes requests as Slack does; a real Bolt app accepts them."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.parse
from collections import defaultdict
from socketserver import ThreadingMixIn
from types import SimpleNamespace
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sandbox.fake_slack import FakeSlack
from sandbox.slack_sender import (
    SlackResponse,
    SlackSender,
    date_value,
    option_value,
    state_from_view,
    state_values,
    text_value,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5-test"
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")

REQUEST_MODAL = {
    "type": "modal",
    "callback_id": "request_modal",
    "private_metadata": "CP-2027-0142",
    "title": {"type": "plain_text", "text": "Request a meeting"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "concern",
            "label": {"type": "plain_text", "text": "Concern"},
            "element": {
                "type": "static_select",
                "action_id": "concern_type",
                "options": [
                    {"text": {"type": "plain_text", "text": "New concern"}, "value": "new"},
                    {"text": {"type": "plain_text", "text": "Deepening concern"}, "value": "deepening"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "details",
            "optional": True,
            "label": {"type": "plain_text", "text": "What has changed"},
            "element": {"type": "plain_text_input", "action_id": "details_input", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "when",
            "optional": True,
            "label": {"type": "plain_text", "text": "By when"},
            "element": {"type": "datepicker", "action_id": "by_date"},
        },
    ],
}


# ---------------------------------------------------------------------- servers


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _serve(wsgi_app):
    server = make_server("127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def _stop(server, thread):
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    # slack_sdk (so Bolt's client and respond()) honours HTTP(S)_PROXY and ignores NO_PROXY.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake():
    with FakeSlack() as running:
        yield running


@pytest.fixture
def bolt(fake):
    """A tiny Bolt app served over HTTP, remembering what its listeners saw."""
    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=fake.api_url))
    seen: dict[str, list] = defaultdict(list)

    @app.middleware
    def remember_headers(request, next):
        seen["headers"].append(request.headers)
        next()

    @app.command("/core-group")
    def core_group(ack, command, respond):
        seen["commands"].append(command)
        ack()
        respond(f"You asked for: {command['text']}")

    @app.command("/request-core-group")
    def request_core_group(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=REQUEST_MODAL)

    @app.view("request_modal")
    def request_submitted(ack, view):
        seen["submissions"].append(view)
        if not view["state"]["values"]["details"]["details_input"]["value"]:
            ack(response_action="errors", errors={"details": "Please say what has changed"})
        else:
            ack()

    @app.action("approve")
    def approve(ack, body, client):
        seen["actions"].append(body)
        ack()
        container = body["container"]
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"], text="Approved", blocks=[])

    @app.action("dismiss")
    def dismiss(ack, body, respond):
        seen["actions"].append(body)
        ack()
        respond(replace_original=True, text="Dismissed")

    @app.action("choose")
    def choose(ack, body, action):
        seen["actions"].append(body)
        ack()

    @app.event("app_home_opened")
    def home_opened(event, client):
        seen["events"].append(event)
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    server, thread = _serve(SlackRequestHandler(app))
    host, port = server.server_address[:2]
    yield SimpleNamespace(url=f"http://{host}:{port}/slack/events", seen=seen, app=app)
    _stop(server, thread)


@pytest.fixture
def sender(bolt, fake):
    return SlackSender(bot_url=bolt.url, signing_secret=SECRET, response_url_factory=fake.response_url)


@pytest.fixture
def recorder():
    """A plain HTTP endpoint that records raw requests, to check the bytes and headers sent."""
    received = []

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        received.append({"headers": headers, "body": environ["wsgi.input"].read(length).decode("utf-8")})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    server, thread = _serve(app)
    host, port = server.server_address[:2]
    yield SimpleNamespace(url=f"http://{host}:{port}/slack/events", received=received)
    _stop(server, thread)


def _payload_of(request: dict) -> dict:
    return json.loads(urllib.parse.parse_qs(request["body"])["payload"][0])


# ---------------------------------------------------------------------- signing


def test_the_signature_matches_slacks_documented_example():
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )

    signature = SlackSender.signature(
        signing_secret="8f742231b10e8888abcd99yyyzzz85a5", timestamp="1531420618", body=body
    )

    assert signature == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_signed_headers_verify_with_slack_sdks_signature_verifier():
    sender = SlackSender(bot_url="http://127.0.0.1:9/slack/events", signing_secret=SECRET)
    body = "payload=%7B%7D"

    headers = sender.signed_headers(body)

    verifier = SignatureVerifier(signing_secret=SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier(signing_secret="another-secret").is_valid_request(body, headers)


def test_a_given_timestamp_is_the_one_signed():
    sender = SlackSender(bot_url="http://127.0.0.1:9/slack/events", signing_secret=SECRET)

    headers = sender.signed_headers("x=1", timestamp=1_000)

    assert headers["X-Slack-Request-Timestamp"] == "1000"
    assert headers["X-Slack-Signature"] == SlackSender.signature(signing_secret=SECRET, timestamp="1000", body="x=1")


# ---------------------------------------------------------------------- request shapes


def test_a_slash_command_is_form_encoded_with_the_fields_slack_sends(recorder):
    sender = SlackSender(
        bot_url=recorder.url, signing_secret=SECRET, response_url_factory=lambda key: f"http://r/{key}"
    )

    answer = sender.slash_command(command="/core-group", text="status", user_id="U0CHAIR", channel_id="C0CASE")

    [request] = recorder.received
    form = {k: v[0] for k, v in urllib.parse.parse_qs(request["body"], keep_blank_values=True).items()}
    assert set(form) >= {
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "api_app_id", "response_url", "trigger_id",
    }  # fmt: skip
    assert form["command"] == "/core-group"
    assert form["text"] == "status"
    assert form["response_url"] == f"http://r/{answer.trigger_id}"
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["user-agent"].startswith("Slackbot")
    assert SignatureVerifier(SECRET).is_valid_request(request["body"], request["headers"])
    assert answer.status == 200 and answer.json() == {"ok": True}


def test_a_click_on_a_message_carries_the_message_and_a_message_container(recorder):
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)
    message = {"ts": "1790000000.000100", "channel": "C0CASE", "text": "Request", "blocks": [], "user": "U0BOT"}

    sender.block_action(user_id="U0TL", action_id="approve", value="42", message=message)

    payload = _payload_of(recorder.received[0])
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == "U0TL"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1790000000.000100",
        "channel_id": "C0CASE",
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == "C0CASE"
    assert payload["message"]["ts"] == "1790000000.000100"
    assert "channel" not in payload["message"]
    assert payload["actions"][0]["action_id"] == "approve"
    assert payload["actions"][0]["value"] == "42"
    assert payload["actions"][0]["type"] == "button"
    assert payload["response_url"]


def test_a_click_on_an_ephemeral_message_has_no_message_as_in_slack(recorder):
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)

    sender.block_action(user_id="U0HV", action_id="dismiss", channel_id="C0CASE")

    payload = _payload_of(recorder.received[0])
    assert "message" not in payload
    assert payload["container"]["is_ephemeral"] is True
    assert payload["container"]["channel_id"] == "C0CASE"
    assert payload["response_url"]


def test_a_click_in_a_modal_has_a_view_container_and_no_response_url(recorder):
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)
    view = dict(REQUEST_MODAL, id="V0001", hash="1.abc")

    sender.block_action(user_id="U0HV", action_id="concern_type", view=view, action_type="static_select", value="new")

    payload = _payload_of(recorder.received[0])
    assert payload["container"] == {"type": "view", "view_id": "V0001"}
    assert payload["view"]["callback_id"] == "request_modal"
    assert "response_url" not in payload
    assert "channel" not in payload
    assert payload["actions"][0]["selected_option"]["value"] == "new"


def test_a_view_submission_carries_the_view_as_opened_with_the_state_values(recorder):
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)
    values = state_values({"details": {"details_input": "School raised a concern"}})

    sender.view_submission(user_id="U0HV", view=dict(REQUEST_MODAL, id="V0001", hash="1.abc"), values=values)

    payload = _payload_of(recorder.received[0])
    assert payload["type"] == "view_submission"
    assert payload["view"]["id"] == "V0001"
    assert payload["view"]["private_metadata"] == "CP-2027-0142"
    assert payload["view"]["state"]["values"] == {
        "details": {"details_input": {"type": "plain_text_input", "value": "School raised a concern"}}
    }


def test_an_event_is_sent_as_json_in_the_event_callback_envelope(recorder):
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)

    sender.event(event={"type": "app_home_opened", "user": "U0HV", "tab": "home"}, event_id="Ev0001")

    [request] = recorder.received
    envelope = json.loads(request["body"])
    assert request["headers"]["content-type"] == "application/json"
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev0001"
    assert envelope["event"]["user"] == "U0HV"
    assert envelope["authorizations"][0]["user_id"] == "U0BOT"
    assert "x-slack-retry-num" not in request["headers"]


def test_a_retried_event_carries_slacks_retry_headers(recorder):
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)

    sender.event(
        event={"type": "app_home_opened", "user": "U0HV"}, event_id="Ev0001", retry_num=1, retry_reason="http_timeout"
    )

    headers = recorder.received[0]["headers"]
    assert headers["x-slack-retry-num"] == "1"
    assert headers["x-slack-retry-reason"] == "http_timeout"


def test_the_sender_never_goes_through_an_http_proxy(recorder, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    sender = SlackSender(bot_url=recorder.url, signing_secret=SECRET)

    answer = sender.slash_command(command="/core-group", user_id="U0HV", channel_id="C0CASE")

    assert answer.status == 200
    assert len(recorder.received) == 1


# ---------------------------------------------------------------------- against a real Bolt app


def test_a_slash_command_reaches_the_bolt_listener_with_its_text_and_gets_200(sender, bolt, fake):
    answer = sender.slash_command(
        command="/core-group", text="schedule 2027-06-01", user_id="U0CHAIR", channel_id="C0CASE"
    )

    assert answer.status == 200
    assert answer.elapsed < 3
    [command] = bolt.seen["commands"]
    assert command["text"] == "schedule 2027-06-01"
    assert command["user_id"] == "U0CHAIR"
    [reply] = fake.wait_for("response_url", where=lambda c: c.params["_key"] == answer.trigger_id)
    assert reply.params["text"] == "You asked for: schedule 2027-06-01"


def test_a_request_signed_with_the_wrong_secret_gets_401(bolt, fake):
    forger = SlackSender(bot_url=bolt.url, signing_secret="not-the-secret", response_url_factory=fake.response_url)

    answer = forger.slash_command(command="/core-group", text="status", user_id="U0CHAIR", channel_id="C0CASE")

    assert answer.status == 401
    assert bolt.seen["commands"] == []


def test_a_request_with_a_stale_timestamp_gets_401(sender, bolt):
    body = "command=%2Fcore-group&text=status&user_id=U0CHAIR&channel_id=C0CASE&team_id=T0TEAM"
    stale = sender.signed_headers(body, timestamp=int(time.time()) - 600)

    answer = sender.post_raw(body, headers=stale)

    assert answer.status == 401
    assert bolt.seen["commands"] == []


def test_a_request_without_a_signature_gets_401(sender, bolt):
    answer = sender.post_raw("command=%2Fcore-group&text=status", headers={})

    assert isinstance(answer, SlackResponse)
    assert answer.status == 401


def test_an_unhandled_request_gets_404_returned_not_raised(sender):
    answer = sender.slash_command(command="/unknown", user_id="U0HV", channel_id="C0CASE")

    assert answer.status == 404


def test_a_command_opens_a_modal_whose_submission_reaches_the_view_listener(sender, bolt, fake):
    sender.slash_command(command="/request-core-group", text="school concern", user_id="U0HV", channel_id="C0CASE")
    [opened] = fake.wait_for("views.open")
    view = opened.response["view"]

    values = state_from_view(view, {"concern_type": "deepening", "details_input": "Missed two visits"})
    answer = sender.view_submission(user_id="U0HV", view=view, values=values)

    assert answer.status == 200
    assert answer.json() is None  # a plain ack closes the modal
    [submitted] = bolt.seen["submissions"]
    assert submitted["id"] == view["id"]
    assert submitted["private_metadata"] == "CP-2027-0142"
    assert submitted["state"]["values"]["concern"]["concern_type"]["selected_option"]["value"] == "deepening"
    assert submitted["state"]["values"]["when"]["by_date"] == {"type": "datepicker", "selected_date": None}


def test_an_invalid_submission_gets_the_errors_response_action_back(sender, bolt):
    values = state_from_view(REQUEST_MODAL, {"concern_type": "new"})

    answer = sender.view_submission(user_id="U0HV", view=REQUEST_MODAL, values=values)

    assert answer.status == 200
    assert answer.json() == {"response_action": "errors", "errors": {"details": "Please say what has changed"}}


def test_a_click_on_a_posted_message_lets_the_listener_update_it_in_place(sender, bolt, fake):
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    client.chat_postMessage(channel="U0TL", text="Request for a core group")
    message = fake.messages("U0TL")[-1]

    answer = sender.block_action(user_id="U0TL", action_id="approve", value="request-1", message=message)

    assert answer.status == 200
    [body] = bolt.seen["actions"]
    assert body["actions"][0]["value"] == "request-1"
    assert body["container"]["channel_id"] == "D0TL"
    fake.wait_for("chat.update")
    assert fake.messages("U0TL")[-1]["text"] == "Approved"


def test_a_click_on_an_ephemeral_message_is_answered_through_its_response_url(sender, bolt, fake):
    answer = sender.block_action(user_id="U0HV", action_id="dismiss", channel_id="C0CASE")

    assert answer.status == 200
    assert "message" not in bolt.seen["actions"][0]
    [reply] = fake.wait_for("response_url", where=lambda c: c.params["_key"] == answer.trigger_id)
    assert reply.params["replace_original"] is True
    assert reply.params["text"] == "Dismissed"


def test_a_datepicker_action_carries_the_selected_date(sender, bolt):
    sender.block_action(
        user_id="U0CHAIR", action_id="choose", action_type="datepicker", value="2027-06-01", channel_id="C0CASE"
    )

    assert bolt.seen["actions"][0]["actions"][0]["selected_date"] == "2027-06-01"


def test_app_home_opened_reaches_the_event_listener_which_publishes_the_home_tab(sender, bolt, fake):
    answer = sender.app_home_opened(user_id="U0HV")

    assert answer.status == 200
    fake.wait_for("views.publish")
    assert bolt.seen["events"][0]["user"] == "U0HV"
    assert fake.home_view("U0HV")["type"] == "home"


def test_bolt_sees_the_retry_headers_of_a_retried_event(sender, bolt, fake):
    answer = sender.event(
        event={"type": "app_home_opened", "user": "U0HV", "tab": "home"},
        event_id="Ev0042",
        retry_num=2,
        retry_reason="http_timeout",
    )

    assert answer.status == 200
    assert bolt.seen["headers"][-1]["x-slack-retry-num"] == ["2"]
    assert bolt.seen["headers"][-1]["x-slack-retry-reason"] == ["http_timeout"]


def test_bolt_answers_the_url_verification_challenge(sender):
    answer = sender.url_verification("challenge-123")

    assert answer.status == 200
    assert answer.json() == {"challenge": "challenge-123"}


# ---------------------------------------------------------------------- state.values helpers


def test_state_from_view_includes_every_input_with_none_for_the_empty_ones():
    values = state_from_view(REQUEST_MODAL, {"details_input": "Hospital admission"})

    assert values == {
        "concern": {"concern_type": {"type": "static_select", "selected_option": None}},
        "details": {"details_input": {"type": "plain_text_input", "value": "Hospital admission"}},
        "when": {"by_date": {"type": "datepicker", "selected_date": None}},
    }


def test_state_from_view_copies_the_chosen_option_and_formats_dates():
    values = state_from_view(REQUEST_MODAL, {"concern_type": "new", "when": dt.date(2027, 6, 1)})

    assert values["concern"]["concern_type"]["selected_option"] == {
        "text": {"type": "plain_text", "text": "New concern"},
        "value": "new",
    }
    assert values["when"]["by_date"]["selected_date"] == "2027-06-01"


def test_state_from_view_refuses_an_option_the_view_does_not_offer():
    with pytest.raises(ValueError, match="not an option"):
        state_from_view(REQUEST_MODAL, {"concern_type": "urgent"})


def test_state_from_view_refuses_an_answer_for_an_unknown_element():
    with pytest.raises(KeyError, match="detail_input"):
        state_from_view(REQUEST_MODAL, {"detail_input": "typo"})


def test_the_value_helpers_build_slacks_shapes():
    assert text_value(None) == {"type": "plain_text_input", "value": None}
    assert date_value(dt.date(2027, 5, 25)) == {"type": "datepicker", "selected_date": "2027-05-25"}
    assert option_value("new", "New concern")["selected_option"]["value"] == "new"
