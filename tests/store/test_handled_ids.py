"""The ids of handled Slack events and forms are kept for a day, which covers every retry Slack makes (and a request
signed more than 5 minutes ago is refused anyway), then the sweep forgets them: the tables no longer grow forever.
On both engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.sweep import HANDLED_IDS_KEPT, sweep

NOW = datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc)


def _handle(uow_factory, *, at: datetime, event: str, view: str) -> None:
    with uow_factory() as uow:
        assert uow.events.first_time(event, now=at)
        assert uow.views.first_time(view, now=at)
        uow.commit()


def test_the_sweep_forgets_ids_handled_more_than_a_day_ago_and_keeps_the_rest(uow_factory):
    _handle(uow_factory, at=NOW - HANDLED_IDS_KEPT - timedelta(minutes=1), event="Ev_OLD", view="V_OLD")
    _handle(uow_factory, at=NOW - HANDLED_IDS_KEPT + timedelta(minutes=1), event="Ev_RECENT", view="V_RECENT")

    report = sweep(uow_factory=uow_factory, now=NOW)

    assert report.forgotten == 2
    with uow_factory() as uow:
        assert not uow.events.first_time("Ev_RECENT", now=NOW)  # a retry of a recent event is still ignored
        assert uow.views.seen("V_RECENT")
        assert not uow.views.seen("V_OLD")
        assert uow.events.first_time(
            "Ev_OLD", now=NOW
        )  # forgotten: only a request Slack signed a day ago could bring it


def test_a_second_sweep_has_nothing_more_to_forget(uow_factory):
    _handle(uow_factory, at=NOW - timedelta(days=3), event="Ev_OLD", view="V_OLD")
    assert sweep(uow_factory=uow_factory, now=NOW).forgotten == 2
    assert sweep(uow_factory=uow_factory, now=NOW + timedelta(minutes=1)).forgotten == 0
