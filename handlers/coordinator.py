"""The coordinator in Slack: the daily digest's renderer, institution letters (`/core-group institution`, the
chair's Give the details, the coordinator's Letter sent, their messages and the draft document), and the review
conference report (`/core-group report`, uploaded to the requester's DM)."""

from __future__ import annotations

import json

from slack_bolt import Ack, App, Respond

from bot.authority import AlreadyDoneError, NotYoursError
from bot.context import Services
from bot.errors import CoreGroupError
from bot.letters import check_details
from bot.report_document import build_report_docx
from bot.services.letters import letter_form, mark_letter_sent, request_letter
from bot.services.report import review_report
from handlers import core_group
from handlers.blocks import letters as blocks
from handlers.errors import explain
from handlers.format import local_date
from handlers.ids import LetterIds
from handlers.once import once_per_view
from handlers.payloads import element, id_of, tell_ephemeral
from handlers.people import display_names
from handlers.render import mention
from store.models import LetterStatus

_FIELDS = {
    "relationship": LetterIds.RELATIONSHIP,
    "kind": LetterIds.KIND,
    "name": LetterIds.NAME,
    "contact": LetterIds.CONTACT,
}


# --- the digest ------------------------------------------------------------------------------


# --- institution letters ------------------------------------------------------------------------


def handle_coordinator_institution_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """`/core-group institution`: the letter's details form, for the chair or the coordinator (or a delegate)."""
    try:
        with services.uow_factory() as uow:
            form = letter_form(
                uow=uow, now=services.clock.now(), user=command["user_id"], channel=command["channel_id"]
            )
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral")
        return
    client.views_open(trigger_id=command["trigger_id"], view=blocks.build_letter_modal(form))


def handle_coordinator_details_action(ack: Ack, body: dict, action: dict, client, respond: Respond, context) -> None:
    """Give the details, on the chair's message: the same form, for the letter the record asked for."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            form = letter_form(uow=uow, now=services.clock.now(), user=body["user"]["id"], letter_id=id_of(action))
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=blocks.build_letter_modal(form))


def handle_coordinator_details_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Save the letter's details (problems stay in the form): the coordinator gets the task and the draft."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    details, errors = check_details(
        relationship=element(values, LetterIds.RELATIONSHIP).get("value"),
        kind=(element(values, LetterIds.KIND).get("selected_option") or {}).get("value"),
        institution_name=element(values, LetterIds.NAME).get("value"),
        contact=element(values, LetterIds.CONTACT).get("selected_user"),
    )
    if errors or details is None:  # no details: there are errors
        ack(response_action="errors", errors={str(_FIELDS[f]): m for f, m in errors.items()})
        return
    ack()
    try:
        with services.uow_factory() as uow:
            letter = request_letter(
                uow=uow,
                now=services.clock.now(),
                user=user,
                details=details,
                channel=metadata.get("channel"),
                letter_id=metadata.get("letter_id"),
            )
            coordinator = uow.cases.require(letter.case_id).organisation.coordinator
            already_sent = letter.status == LetterStatus.SENT
            uow.commit()
    except (AlreadyDoneError, NotYoursError) as error:
        tell_ephemeral(client, metadata, user, explain(error))
        return
    except CoreGroupError as error:
        tell_ephemeral(client, metadata, user, explain(error))
        return
    if already_sent:
        tell_ephemeral(
            client,
            metadata,
            user,
            "The letter about this person, with these details, was already sent: nothing new to write.",
        )
        return
    tell_ephemeral(
        client,
        metadata,
        user,
        f"Done: the Co-ordinator, Children Services ({mention(coordinator)}) has a draft "
        "letter to the head of the institution and a task to send it.",
    )


def handle_coordinator_letter_sent_action(ack: Ack, body: dict, action: dict, respond: Respond, context) -> None:
    """Letter sent: only the coordinator or their delegate, once; the messages lose the button."""
    ack()
    services: Services = context["services"]
    try:
        with services.uow_factory() as uow:
            mark_letter_sent(uow=uow, now=services.clock.now(), letter_id=id_of(action), user=body["user"]["id"])
            uow.commit()
    except (AlreadyDoneError, NotYoursError) as error:
        respond(text=explain(error), response_type="ephemeral", replace_original=False)
        return
    respond(
        text="Done: the letter is marked sent, and its reminders stop.",
        response_type="ephemeral",
        replace_original=False,
    )


# --- the review conference report ---------------------------------------------------------------


def handle_coordinator_report_command(
    *, args: list[str], command: dict, respond: Respond, client, services: Services
) -> None:
    """`/core-group report`: the report to the review conference, as a document in the requester's DM; audited."""
    user = command["user_id"]
    try:
        with services.uow_factory() as uow:
            report = review_report(uow=uow, now=services.clock.now(), channel=command["channel_id"], user=user)
            uow.commit()  # the access is recorded (who, when, which case) before the report leaves
    except NotYoursError as error:
        respond(text=explain(error), response_type="ephemeral")
        return
    content = build_report_docx(report, names=display_names(client, report.people))
    channel = client.conversations_open(users=user)["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        content=content,
        filename=f"core-group-report-{report.reference}-{report.today}.docx",
        title=f"Core group report to the review conference — {report.reference}",
        initial_comment=f"The core group's report to the review conference for {report.reference}, "
        f"prepared {report.generated_on}. Keep it as you keep case records.",
    )
    owed = f" It is the report owed to the review conference of {local_date(report.owed_to)}." if report.owed_to else ""
    respond(
        text=f"The report for {report.reference} is in your messages from the app, as a Word document "
        f"({report.summary()}).{owed} Your access is recorded.",
        response_type="ephemeral",
    )


def register(app: App) -> None:
    """`/core-group institution` and `report`, the letter buttons and form."""
    core_group.subcommand(
        "institution",
        "a parent or relative is in an institution (prison, hospital): the "
        "coordinator gets a draft letter to its head (the chair or the coordinator)",
    )(handle_coordinator_institution_command)
    core_group.subcommand(
        "report",
        "this case's report to the review conference, as a document in your messages (the chair or the coordinator)",
    )(handle_coordinator_report_command)
    app.action(str(LetterIds.GIVE_DETAILS))(handle_coordinator_details_action)
    app.action(str(LetterIds.SENT))(handle_coordinator_letter_sent_action)
    app.view(str(LetterIds.DETAILS_MODAL))(once_per_view(handle_coordinator_details_submission))
