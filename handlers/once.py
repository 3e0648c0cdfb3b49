"""Every form is processed once: a view submission that changes something claims its `view.id` in the same
transaction, so a submission Slack redelivers, a double submit or a replayed signed request changes nothing twice.

Validation answers (`response_action="errors"`) commit nothing, so they claim nothing: the person corrects the
form and submits the same view again. A replay gets the plain acknowledgement a first submission gets (the modal
closes) and no second effect; nothing else is said, because the first submission already said it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import replace

from bot.context import Services
from store.uow import UnitOfWork

log = logging.getLogger("coregroup.once")


class ViewAlreadyProcessedError(Exception):
    """This form's submission was processed already; the replay changed nothing.

    Not a CoreGroupError on purpose: listeners answer those to the person, and a replay must say nothing.
    """


def once_per_view(listener: Callable[..., None]) -> Callable[..., None]:
    """Wrap a view-submission listener (taking `ack`, `body` and `context`) so its effects happen once per view."""

    @functools.wraps(listener)  # Bolt injects arguments by the wrapped listener's names
    def wrapper(**kwargs) -> None:
        ack, body, context = kwargs["ack"], kwargs["body"], kwargs["context"]
        services: Services = context["services"]
        view_id = (body.get("view") or {}).get("id") or ""
        if not view_id:  # Slack always sends one; without it there is nothing to key on
            return listener(**kwargs)
        with services.uow_factory() as uow:
            seen = uow.views.seen(view_id)
        if seen:
            log.info("view submission already processed; acknowledged without effect")
            ack()
            return None
        context["services"] = replace(services, uow_factory=_claiming(services, view_id))
        try:
            return listener(**kwargs)
        except ViewAlreadyProcessedError:  # a simultaneous twin committed first: this one changed nothing
            log.info("simultaneous view submission already processed; rolled back")
            if ack.response is None:
                ack()
            return None

    return wrapper


def _claiming(services: Services, view_id: str) -> Callable[[], UnitOfWork]:
    """A unit-of-work factory whose first commit also claims `view_id`, or raises if it was claimed already."""
    claimed = False

    def claim(uow: UnitOfWork) -> None:
        nonlocal claimed
        if claimed:
            return
        if not uow.views.first_time(view_id, now=services.clock.now()):
            raise ViewAlreadyProcessedError()
        claimed = True

    def factory() -> UnitOfWork:
        uow = services.uow_factory()
        uow.before_commit(claim)
        return uow

    return factory
