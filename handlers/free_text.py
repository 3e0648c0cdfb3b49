"""Every form and command, before any feature sees it: typed text with a control character is refused.

One check for every free-text path, so no feature can forget it: a modal gets the error on the field
(`response_action=errors`, the form stays open), a slash command an ephemeral answer. Nothing is saved,
and the text itself is never logged.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltResponse

from bot.text import control_character_problem

log = logging.getLogger(__name__)


def typed_text_problems(view: dict) -> dict[str, str]:
    """block id -> why its typed text cannot be taken, for every text input of a submitted modal."""
    problems: dict[str, str] = {}
    for block_id, inputs in ((view.get("state") or {}).get("values") or {}).items():
        for state in (inputs or {}).values():
            value = state.get("value") if isinstance(state, dict) else None
            problem = control_character_problem(value) if isinstance(value, str) else None
            if problem and block_id not in problems:
                problems[block_id] = problem
    return problems


def refuse_control_characters(body: dict, ack: Ack, respond, next) -> BoltResponse | None:
    """Refuse a modal or a command whose typed text holds a control character; let everything else through."""
    if body.get("type") == "view_submission":
        problems = typed_text_problems(body.get("view") or {})
        if problems:
            log.info(
                "form refused: control character in %d field(s) of %s",
                len(problems),
                (body.get("view") or {}).get("callback_id"),
            )
            return ack(response_action="errors", errors=problems)
    elif body.get("command"):
        problem = control_character_problem(body.get("text"))
        if problem:
            log.info("command refused: control character in the text of %s", body.get("command"))
            response = ack()
            respond(text=problem, response_type="ephemeral", replace_original=False)
            return response
    next()
    return None


def register(app: App) -> None:
    """Check typed text before any listener runs."""
    app.use(refuse_control_characters)
