"""The Slack surface: one module per feature, each with `register(app)`."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    """Register every feature's listeners on `app`, once, at start-up."""
    from handlers import (
        coordinator,
        core_group,
        delegates,
        deregistration,
        errors,
        home,
        meeting_records,
        meetings,
        receipts,
        requests,
    )

    for module in (core_group, meetings, meeting_records, requests, delegates, receipts, deregistration, coordinator,
                   home, errors):
        module.register(app)
