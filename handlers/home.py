"""The Home tab in Slack: published when someone opens it, refreshed when what they see changes, and the
delegate setting's buttons and modal.

Refreshing: publishing is per user, so it is done only for people who opened their Home in the last
`RECENT` (Slack sends `app_home_opened` each time the tab is opened, and the Home is rebuilt then anyway).
After each dispatch pass, the Home of everyone a notice went to is re-published — the recipients themselves,
everyone in a case whose channel was told something, and the coordinator (whose Home shows the digest live) —
because every change to what waits on someone sends or updates a message of theirs. A click on the Home tab
itself re-publishes at once.

Buttons on the Home tab reuse the features' own action ids, so a click runs the same listener as in a DM. A
Home click has no `response_url`: a middleware gives those listeners a `respond` that opens a small modal with
the answer instead (and re-publishes the Home).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.authority import COVERS_IN_WORDS, Scope
from bot.context import Services
from bot.dispatch import DispatchReport
from bot.errors import CoreGroupError
from bot.organisation import calendar_for
from bot.services.delegates import current_delegates, delegation_scopes, end_delegate, set_delegate
from bot.services.home import home_for, people_to_refresh
from handlers.blocks.home import build_delegate_modal, build_home_view
from handlers.ids import HomeIds
from handlers.once import once_per_view
from handlers.render import mention

log = logging.getLogger(__name__)

#: Homes opened within this long are kept fresh after changes; older ones are rebuilt when next opened.
RECENT = timedelta(hours=8)


def publish_home(client, services: Services, user: str) -> bool:
    """Build `user`'s Home now and publish it (views.publish); False when Slack refused it."""
    now = services.clock.now()
    with services.uow_factory() as uow:
        view = build_home_view(home_for(uow=uow, now=now, user=user))
    try:
        client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("could not publish a Home tab: %s", (exc.response.data or {}).get("error", "error"))
        return False
    with services.uow_factory() as uow:
        uow.home_tabs.published(user, now=now)
        uow.commit()
    return True


def handle_home_opened_event(event: dict, client, context) -> None:
    """Someone opened the app's Home tab: note it, and publish what they see now."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    services: Services = context["services"]
    with services.uow_factory() as uow:
        uow.home_tabs.opened(event["user"], now=services.clock.now())
        uow.commit()
    publish_home(client, services, event["user"])


class HomeRefresher:
    """After a dispatch pass: re-publish the Home of those whose Home may have changed and who look at it."""

    def __init__(self, services: Services, client) -> None:
        self.services, self.client = services, client

    def __call__(self, report: DispatchReport) -> int:
        recipients = [recipient for _, recipient, _ in report.deliveries]
        if not recipients:
            return 0
        now = self.services.clock.now()
        with self.services.uow_factory() as uow:
            people = uow.home_tabs.opened_since(people_to_refresh(uow, recipients), since=now - RECENT)
        return sum(publish_home(self.client, self.services, user) for user in people)


# --- clicks on the Home tab ------------------------------------------------------------------------


class HomeAnswer:
    """`respond` for a click on the Home tab: the answer in a small modal, then the Home re-published."""

    def __init__(self, client, services: Services, *, user: str, trigger_id: str | None) -> None:
        self.client, self.services, self.user, self.trigger_id = client, services, user, trigger_id

    def __call__(self, text: str = "", blocks: list | None = None, **_: Any) -> None:
        try:
            if self.trigger_id:
                self.client.views_open(trigger_id=self.trigger_id, view=_answer_modal(text))
                self.trigger_id = None
            else:
                self.client.chat_postMessage(channel=self.user, text=text)
        except SlackApiError:
            self.client.chat_postMessage(channel=self.user, text=text)
        publish_home(self.client, self.services, self.user)


def answer_home_clicks(body: dict, context, next) -> None:
    """Middleware: a click on a Home tab button gets a `respond` that works there (no response_url)."""
    view = body.get("view") or {}
    if body.get("type") == "block_actions" and view.get("type") == "home" and "services" in context:
        context["respond"] = HomeAnswer(
            context.client, context["services"], user=body["user"]["id"], trigger_id=body.get("trigger_id")
        )
    next()


def _answer_modal(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Core group"},
        "close": {"type": "plain_text", "text": "OK"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000] or "Done."}}],
    }


# --- the delegate setting ------------------------------------------------------------------------


def handle_home_delegate_action(ack: Ack, body: dict, action: dict, client, context) -> None:
    """Set a delegate / Change delegate: the modal; Turn off: end it now and re-publish the Home."""
    ack()
    services: Services = context["services"]
    user, now = body["user"]["id"], services.clock.now()
    if action["action_id"] == HomeIds.END_DELEGATE:
        with services.uow_factory() as uow:
            end_delegate(uow=uow, now=now, principal=user)
            uow.commit()
        publish_home(client, services, user)
        return
    with services.uow_factory() as uow:
        rows = current_delegates(uow=uow, now=now, principal=user)
        row = rows[0] if rows else None
        scopes = tuple(delegation_scopes(uow=uow, principal=user))
        today = _today(uow, now)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_delegate_modal(
            delegate=row.delegate if row else None, until=row.until if row else None, today=today, scopes=scopes
        ),
    )


def handle_home_delegate_submission(ack: Ack, body: dict, view: dict, client, context) -> None:
    """Save the delegate with the existing delegate service; problems stay in the modal."""
    services: Services = context["services"]
    user, values = body["user"]["id"], view["state"]["values"]
    delegate = (values.get(str(HomeIds.DELEGATE), {}).get(str(HomeIds.DELEGATE)) or {}).get("selected_user")
    raw = (values.get(str(HomeIds.UNTIL), {}).get(str(HomeIds.UNTIL)) or {}).get("selected_date")
    picked = (values.get(str(HomeIds.SCOPE), {}).get(str(HomeIds.SCOPE)) or {}).get("selected_option") or {}
    chosen = picked.get("value")
    if not delegate or not raw:
        ack(
            response_action="errors",
            errors={
                str(HomeIds.DELEGATE if not delegate else HomeIds.UNTIL): "Choose who stands in for you."
                if not delegate
                else "Choose a date."
            },
        )
        return
    try:
        with services.uow_factory() as uow:
            row = set_delegate(
                uow=uow,
                now=services.clock.now(),
                principal=user,
                delegate=delegate,
                until=date.fromisoformat(raw),
                scope=Scope(chosen) if chosen in set(Scope) else None,
            )
            uow.commit()
            covered = COVERS_IN_WORDS[Scope(row.scope)]
    except CoreGroupError as error:
        field = HomeIds.UNTIL if "passed" in error.message else HomeIds.DELEGATE
        ack(response_action="errors", errors={str(field): error.message})
        return
    ack()
    client.chat_postMessage(
        channel=user,
        text=f"Until {date.fromisoformat(raw):%a %-d %b %Y}, {mention(delegate)} "
        f"stands in for you for {covered}. I've told them.",
    )
    publish_home(client, services, user)


def _today(uow, now) -> date:
    organisation = next(iter(uow.organisations.list()), None)
    return calendar_for(organisation).local_date(now) if organisation else now.date()


def register(app: App) -> None:
    """The Home tab: its event, its delegate buttons and modal, and `respond` for clicks on it."""
    app.use(answer_home_clicks)
    app.event("app_home_opened")(handle_home_opened_event)
    app.action(str(HomeIds.CHANGE_DELEGATE))(handle_home_delegate_action)
    app.action(str(HomeIds.END_DELEGATE))(handle_home_delegate_action)
    app.view(str(HomeIds.DELEGATE_MODAL))(once_per_view(handle_home_delegate_submission))
