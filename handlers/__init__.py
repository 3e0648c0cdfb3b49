"""The Slack surface: one module per feature, each with `register(app)`."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    """Register every feature's listeners on `app`, once, at start-up."""
    from handlers import (
        actions,
        coordinator,
        core_group,
        delegates,
        deregistration,
        errors,
        free_text,
        home,
        meeting_records,
        meetings,
        members,
        obligations,
        receipts,
        requests,
        reviews,
    )

    for module in (
        free_text,
        core_group,
        meetings,
        meeting_records,
        actions,
        requests,
        delegates,
        receipts,
        deregistration,
        coordinator,
        home,
        members,
        obligations,
        reviews,
        errors,
    ):
        module.register(app)
