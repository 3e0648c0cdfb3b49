"""The Slack surface: one module per feature, each with `register(app)`."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    """Register every feature's listeners on `app`, once, at start-up."""
    from handlers import core_group, delegates, deregistration, errors, meeting_records, meetings, receipts, requests
    from handlers import actions, coordinator, free_text, home, members, obligations

    for module in (free_text, core_group, meetings, meeting_records, actions, requests, delegates, receipts,
                   deregistration, coordinator, home, members, obligations, errors):
        module.register(app)
