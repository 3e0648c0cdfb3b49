"""The sandbox's Slack client against a small Bolt app: what a person sees after each thing they do.

The real bot's features change every week; these tests pin down the Slack side of the sandbox (who
sees an ephemeral message, what happens to a modal after each ``response_action``, what a click on a
message can change) with a Bolt app written for them.
"""

from __future__ import annotations

import time

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.http_server import BackgroundServer
from sandbox.client import Click, ClientError, SlackClient
from sandbox.fake_slack import FakeSlack
from sandbox.slack_sender import SlackSender
from sandbox.workspace import Channel, Person, SlashCommand, Workspace

SECRET = "sandbox-client-test-secret"
ANN, BEN, OUTSIDER = "U0ANN", "U0BEN", "U0OUT"
CHANNEL = "C0ONE"

NOTE_MODAL = {
    "type": "modal",
    "callback_id": "note",
    "title": {"type": "plain_text", "text": "A note"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "details",
            "label": {"type": "plain_text", "text": "Details"},
            "element": {"type": "plain_text_input", "action_id": "details_input"},
        },
        {
            "type": "input",
            "block_id": "concern",
            "label": {"type": "plain_text", "text": "Concern"},
            "element": {
                "type": "static_select",
                "action_id": "concern_select",
                "options": [
                    {"text": {"type": "plain_text", "text": "New concerns"}, "value": "new"},
                    {"text": {"type": "plain_text", "text": "Deepening concerns"}, "value": "deepening"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "who",
            "optional": True,
            "label": {"type": "plain_text", "text": "Who"},
            "element": {"type": "users_select", "action_id": "who_select"},
        },
    ],
}


def modal(title: str, callback_id: str = "plain") -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": title}}],
    }


def button_message(text: str) -> list[dict]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": "act",
            "elements": [
                {"type": "button", "action_id": "press", "value": "42", "text": {"type": "plain_text", "text": "Press"}}
            ],
        },
    ]


def bolt_app(fake: FakeSlack) -> App:
    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=fake.api_url))

    @app.command("/core-group")
    def core_group(ack, command, respond, client):
        word = command["text"]
        if word == "ack":
            ack(text="Right away")
            return
        ack()
        if word == "say":
            respond(text="Only you can read this", response_type="ephemeral")
        elif word == "loud":
            respond(text="Everyone can read this", response_type="in_channel")
        elif word == "modal":
            client.views_open(trigger_id=command["trigger_id"], view=NOTE_MODAL)
        elif word == "button":
            client.chat_postMessage(channel=command["channel_id"], text="Press it", blocks=button_message("Press it"))
        elif word == "private-button":
            respond(text="Press it", blocks=button_message("Just for you"), response_type="ephemeral")

    @app.view("note")
    def note_submitted(ack, view, body, client):
        values = view["state"]["values"]
        details = values["details"]["details_input"]["value"]
        if details == "bad":
            ack(response_action="errors", errors={"details": "Write what happened"})
        elif details == "more":
            ack(response_action="push", view=modal("One more thing"))
        elif details == "change":
            ack(response_action="update", view=modal("Changed"))
        else:
            ack()
            option = values["concern"]["concern_select"]["selected_option"]
            who = values["who"]["who_select"]["selected_user"]
            client.chat_postEphemeral(
                channel=CHANNEL,
                user=body["user"]["id"],
                text=f"Saved: {option['text']['text']} about <@{who}>: {details}",
            )

    @app.action("press")
    def pressed(ack, body, respond):
        ack()
        respond(text=f"Pressed by <@{body['user']['id']}> ({body['actions'][0]['value']})", replace_original=True)

    @app.event("app_home_opened")
    def home_opened(event, client):
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"Hello <@{event['user']}>"}}],
            },
        )

    return app


@pytest.fixture
def slack():
    """A fake Slack, a Bolt app behind HTTP, and the sandbox's client between them."""
    with FakeSlack(users={ANN: "Ann (member)", BEN: "Ben (member)"}) as fake:
        server = BackgroundServer(SlackRequestHandler(bolt_app(fake))).start()
        sender = SlackSender(
            bot_url=f"{server.url}/slack/events", signing_secret=SECRET, response_url_factory=fake.response_url
        )
        workspace = Workspace(
            people=[Person(ANN, "Ann (member)"), Person(BEN, "Ben (member)"), Person(OUTSIDER, "Olu (visitor)")],
            channels=[Channel(CHANNEL, "case-one", (ANN, BEN))],
            commands=[SlashCommand("/core-group"), SlashCommand("/request-core-group")],
        )
        yield SlackClient(fake=fake, sender=sender, workspace=workspace)
        server.stop()


def eventually(check, timeout: float = 5.0):
    """Wait for what the bot does after its ack (Bolt runs the rest of a listener in a thread)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def seen_by(client: SlackClient, user: str) -> list[str]:
    """The texts ``user`` sees in the channel: its messages and their own ephemeral ones."""
    fake = client.fake
    return [m["text"] for m in fake.messages(CHANNEL)] + [
        e["text"] for e in fake.ephemeral_messages(channel=CHANNEL, user=user)
    ]


def test_an_ephemeral_answer_to_a_command_is_shown_only_to_the_person_who_typed_it(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group say")

    assert eventually(lambda: "Only you can read this" in seen_by(slack, ANN))
    assert "Only you can read this" not in seen_by(slack, BEN)


def test_an_in_channel_answer_is_shown_to_everyone_in_the_channel(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group loud")

    assert eventually(lambda: "Everyone can read this" in seen_by(slack, BEN))


def test_text_in_the_commands_acknowledgement_is_shown_to_its_author(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group ack")

    assert "Right away" in seen_by(slack, ANN)
    assert "Right away" not in seen_by(slack, BEN)


def test_an_unknown_command_is_answered_by_slack_and_never_reaches_the_bot(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/coregroup status")

    [answer] = slack.fake.ephemeral_messages(user=ANN)
    assert answer["text"].startswith("/coregroup is not a valid command")
    assert answer["from"] == "slackbot"


def test_a_command_the_bot_does_not_answer_shows_slacks_dispatch_failed(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/request-core-group help")

    assert seen_by(slack, ANN) == ['/request-core-group failed with the error "dispatch_failed"']


def test_a_modal_opened_by_the_bot_is_shown_only_to_the_person_who_asked(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group modal")

    shown = eventually(lambda: slack.fake.open_modal(ANN))
    assert shown["title"]["text"] == "A note"
    assert slack.fake.open_modal(BEN) is None


def test_validation_errors_from_the_bot_are_shown_under_their_field_and_the_modal_stays_open(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group modal")
    view = eventually(lambda: slack.fake.open_modal(ANN))

    errors = slack.submit(user=ANN, view_id=view["id"], form={"details": {"details_input": "bad"}})

    assert errors == {"details": "Write what happened"}
    assert slack.fake.open_modal(ANN)["errors"] == {"details": "Write what happened"}


def test_a_submitted_modal_closes_and_the_bot_reads_the_answers_in_slacks_shape(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group modal")
    view = eventually(lambda: slack.fake.open_modal(ANN))

    errors = slack.submit(
        user=ANN,
        view_id=view["id"],
        form={
            "details": {"details_input": "school visit"},
            "concern": {"concern_select": "deepening"},
            "who": {"who_select": BEN},
        },
    )

    assert errors == {}
    assert slack.fake.open_modal(ANN) is None
    assert eventually(lambda: f"Saved: Deepening concerns about <@{BEN}>: school visit" in seen_by(slack, ANN))


def test_a_pushed_modal_sits_on_top_and_closing_it_shows_the_first_again(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group modal")
    first = eventually(lambda: slack.fake.open_modal(ANN))

    slack.submit(user=ANN, view_id=first["id"], form={"details": {"details_input": "more"}})
    pushed = slack.fake.open_modal(ANN)
    slack.close(user=ANN, view_id=pushed["id"])

    assert pushed["title"]["text"] == "One more thing"
    assert slack.fake.open_modal(ANN)["title"]["text"] == "A note"


def test_an_update_answer_replaces_the_modal_in_place(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group modal")
    first = eventually(lambda: slack.fake.open_modal(ANN))

    slack.submit(user=ANN, view_id=first["id"], form={"details": {"details_input": "change"}})

    shown = slack.fake.open_modal(ANN)
    assert (shown["id"], shown["title"]["text"], shown["stack_depth"]) == (first["id"], "Changed", 1)


def test_a_click_on_a_message_can_replace_it_for_everyone(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group button")
    [message] = eventually(lambda: slack.fake.messages(CHANNEL))

    slack.click(
        Click(
            user=BEN,
            action_id="press",
            block_id="act",
            value="42",
            text="Press",
            channel=CHANNEL,
            message_ts=message["ts"],
        )
    )

    assert eventually(lambda: [m["text"] for m in slack.fake.messages(CHANNEL)] == [f"Pressed by <@{BEN}> (42)"])


def test_a_click_on_an_ephemeral_message_changes_it_for_that_person_only(slack):
    slack.slash_command(user=ANN, channel=CHANNEL, text="/core-group private-button")
    [private] = eventually(lambda: slack.fake.ephemeral_messages(user=ANN))

    slack.click(
        Click(
            user=ANN,
            action_id="press",
            block_id="act",
            value="42",
            channel=CHANNEL,
            message_ts=private["message_ts"],
            ephemeral=True,
        )
    )

    assert eventually(
        lambda: [e["text"] for e in slack.fake.ephemeral_messages(user=ANN)] == [f"Pressed by <@{ANN}> (42)"]
    )
    assert slack.fake.messages(CHANNEL) == []


def test_opening_the_home_tab_sends_app_home_opened_and_shows_what_the_bot_published(slack):
    slack.open_home(user=BEN)

    home = eventually(lambda: slack.fake.home_view(BEN))
    assert home["blocks"][0]["text"]["text"] == f"Hello <@{BEN}>"
    assert slack.fake.home_view(ANN) is None


def test_nobody_can_act_in_a_channel_they_are_not_in(slack):
    with pytest.raises(ClientError, match="not a member"):
        slack.slash_command(user=OUTSIDER, channel=CHANNEL, text="/core-group say")
    assert slack.fake.calls_to("response_url") == []
