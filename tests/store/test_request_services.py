"""Requests for an additional meeting, through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.authority import AlreadyDoneError, NotYoursError, Scope
from bot.errors import InvalidInputError, NotACaseChannelError, NotAllowedError, NotInCaseError
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.delegates import end_delegate, set_delegate
from bot.services.obligation_sweep import sweep_obligations
from bot.services.requests import NewRequest, decide_escalation, decide_request, escalate_request, request_meeting
from tests.harness import organisation_file

LONDON = ZoneInfo("Europe/London")
FRIDAY = datetime(2027, 7, 30, 14, 0, tzinfo=LONDON)  # Mon 2 Aug is a Scottish bank holiday


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def uow_factory(uow_factory):
    with uow_factory() as uow:
        import_organisation(parse_organisation_file(organisation_file()), uow=uow, now=local(2027, 5, 17, 9, 0))
        uow.commit()
    return uow_factory


def ask(uow_factory, *, user="U0HV", urgency="routine", now=FRIDAY, channel="C0CASE142"):
    with uow_factory() as uow:
        request = request_meeting(
            NewRequest(
                channel=channel,
                user=user,
                concern="deepening",
                urgency=urgency,
                details="School reports <b>new</b> bruising",
            ),
            uow=uow,
            now=now,
        )
        uow.commit()
    return request.id


def chase(uow_factory, *, now: datetime) -> int:
    """Sweep the ledger at `now`; how many request notices it sent (the case's unrecorded meeting is chased too)."""

    def sent():
        with uow_factory() as uow:
            return len([m for m in uow.outbox.list() if m.kind.startswith("request_")])

    before = sent()
    sweep_obligations(uow_factory=uow_factory, now=now)
    return sent() - before


def test_a_request_is_saved_pending_with_its_audit_and_the_team_leaders_message_in_one_transaction(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow:
        request = uow.requests.get(request_id)
        assert (request.status, request.decider, request.routed_to) == ("pending", "U0TL", "U0TL")
        owed = uow.obligations.find_open(kind="request_decision", subject_type="request", subject_id=request_id)
        assert owed.owner == "U0TL"
        assert (owed.overdue_at, owed.breach_at) == (local(2027, 8, 3, 14, 0), local(2027, 8, 4, 14, 0))
        requested, routed = uow.audit.list(action="request.requested") + uow.audit.list(action="request.routed")
        assert (requested.actor, requested.detail["concern"], requested.detail["urgency"]) == (
            "U0HV",
            "deepening",
            "routine",
        )
        assert "bruising" not in str(requested.detail)  # the free text stays out of the audit log
        assert (routed.actor, routed.on_behalf_of, routed.detail["to"]) == ("U0TL", None, "U0TL")
        (message,) = uow.outbox.list(kind="request_decision")
        assert message.recipient == "U0TL" and message.payload["details"] == "School reports <b>new</b> bruising"


def test_nothing_is_saved_for_someone_outside_the_case_or_outside_a_case_channel(uow_factory):
    with pytest.raises(NotInCaseError):
        ask(uow_factory, user="U0STRANGER")
    with pytest.raises(NotACaseChannelError):
        ask(uow_factory, channel="C0RANDOM")
    with uow_factory() as uow:
        assert uow.requests.for_case(uow.cases.get_by_reference("CP-2027-0142").id) == []
        assert uow.outbox.list(kind="request_decision") == []


def test_while_a_delegate_is_set_the_request_goes_to_them_and_the_team_leader_keeps_a_copy(uow_factory):
    with uow_factory() as uow:
        set_delegate(uow=uow, now=FRIDAY, principal="U0TL", delegate="U0DEP", until=date(2027, 8, 13))
        uow.commit()
    request_id = ask(uow_factory)
    with uow_factory() as uow:
        assert uow.requests.get(request_id).routed_to == "U0DEP"
        (routed,) = uow.audit.list(action="request.routed")
        assert (routed.actor, routed.on_behalf_of) == ("U0DEP", "U0TL")
        copies = {m.recipient: m.payload for m in uow.outbox.list(kind="request_decision")}
        assert copies["U0DEP"]["on_behalf_of"] == "U0TL" and copies["U0TL"]["delegate"] == "U0DEP"


def test_approval_schedules_one_additional_meeting_and_tells_the_requester(uow_factory):
    request_id = ask(uow_factory)
    now = local(2027, 8, 3, 10, 42)
    with uow_factory() as uow:
        decide_request(
            uow=uow, now=now, request_id=request_id, user="U0TL", approve=True, starts_at=local(2027, 8, 6, 10, 0)
        )
        uow.commit()
    with uow_factory() as uow:
        request = uow.requests.get(request_id)
        (meeting,) = [m for m in uow.meetings.for_case(request.case_id) if m.kind == "additional"]
        assert (request.status, request.decided_by, request.meeting_id) == ("approved", "U0TL", meeting.id)
        (owed,) = [o for o in uow.obligations.for_case(request.case_id) if o.kind == "request_decision"]
        assert (owed.status, owed.discharged_by, owed.next_step_at) == ("discharged", "U0TL", None)
        (decided,) = uow.audit.list(action="request.decided")
        assert (decided.actor, decided.detail["decision"], decided.detail["meeting_id"]) == (
            "U0TL",
            "approved",
            meeting.id,
        )
        closed = uow.outbox.get_by_key(f"request_decision:{request_id}:routed:U0TL:closed")
        assert closed.replaces_key == f"request_decision:{request_id}:routed:U0TL"
        assert closed.payload["closed"]["outcome"] == "approved"
        (told,) = uow.outbox.list(kind="request_approved")
        assert told.recipient == "U0HV"
        assert datetime.fromisoformat(told.payload["decision"]["meeting_starts_at"]) == local(2027, 8, 6, 10, 0)


def test_a_second_decision_is_refused_and_says_who_decided_and_when(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow:
        decide_request(
            uow=uow,
            now=local(2027, 8, 3, 10, 42),
            request_id=request_id,
            user="U0TL",
            approve=False,
            reason="Covered at Thursday's review",
        )
        uow.commit()
    with uow_factory() as uow, pytest.raises(AlreadyDoneError) as raised:
        decide_request(
            uow=uow,
            now=local(2027, 8, 3, 10, 43),
            request_id=request_id,
            user="U0TL",
            approve=True,
            starts_at=local(2027, 8, 6, 10, 0),
        )
    assert (raised.value.done, raised.value.by, raised.value.at) == ("refused", "U0TL", local(2027, 8, 3, 10, 42))
    with uow_factory() as uow:
        assert len(uow.audit.list(action="request.decided")) == 1
        assert [m for m in uow.meetings.for_case(uow.requests.get(request_id).case_id) if m.kind == "additional"] == []


def test_someone_else_cannot_decide_and_nothing_changes(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow, pytest.raises(NotYoursError) as raised:
        decide_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0CHAIR", approve=False, reason="No")
    assert raised.value.owner == "U0TL" and raised.value.who.startswith("the team leader")
    with uow_factory() as uow:
        assert uow.requests.get(request_id).status == "pending"


def test_a_refusal_needs_a_reason(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow, pytest.raises(InvalidInputError):
        decide_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0TL", approve=False, reason=" ")


def test_a_refused_request_can_go_to_the_coordinator_who_upholds_it_and_everyone_hears(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow:
        decide_request(
            uow=uow,
            now=local(2027, 8, 3, 10, 0),
            request_id=request_id,
            user="U0TL",
            approve=False,
            reason="Covered at the review",
        )
        uow.commit()
    with uow_factory() as uow:
        escalate_request(uow=uow, now=local(2027, 8, 3, 11, 0), request_id=request_id, user="U0HV")
        uow.commit()
    with uow_factory() as uow:
        decide_escalation(
            uow=uow,
            now=local(2027, 8, 3, 15, 0),
            request_id=request_id,
            user="U0COORD",
            convene=False,
            reason="The review is in a week",
        )
        uow.commit()
    with uow_factory() as uow:
        request = uow.requests.get(request_id)
        assert (request.status, request.outcome_by, request.outcome_reason) == (
            "upheld",
            "U0COORD",
            "The review is in a week",
        )
        actions = [e.action for e in uow.audit.list(case_id=request.case_id) if e.action.startswith("request.")]
        assert actions == [
            "request.requested",
            "request.routed",
            "request.decided",
            "request.escalated",
            "request.routed",
            "request.outcome",
        ]
        review, closed = uow.outbox.list(kind="request_coordinator_review")
        assert closed.replaces_key == review.idempotency_key and closed.payload["closed"]["outcome"] == "upheld"
        assert review.recipient == "U0COORD" and review.payload["decision"]["reason"] == "Covered at the review"
        assert sorted(m.recipient for m in uow.outbox.list(kind="request_outcome")) == ["U0HV", "U0TL"]


def test_only_the_requester_can_ask_the_coordinator_and_only_once(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow:
        decide_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0TL", approve=False, reason="No need")
        uow.commit()
    with uow_factory() as uow, pytest.raises(NotYoursError):
        escalate_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0TEACH")
    with uow_factory() as uow:
        escalate_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0HV")
        uow.commit()
    with uow_factory() as uow, pytest.raises(AlreadyDoneError) as raised:
        escalate_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0HV")
    assert (raised.value.done, raised.value.yours) == ("sent to the coordinator", True)


def test_the_sweep_reminds_once_then_escalates_to_the_coordinator(uow_factory):
    request_id = ask(uow_factory)
    assert chase(uow_factory, now=local(2027, 8, 2, 16, 0)) == 0  # bank holiday
    assert chase(uow_factory, now=local(2027, 8, 3, 14, 0)) == 1
    assert chase(uow_factory, now=local(2027, 8, 3, 14, 5)) == 0
    assert chase(uow_factory, now=local(2027, 8, 4, 14, 0)) == 1
    assert chase(uow_factory, now=local(2027, 8, 9, 9, 0)) == 0
    with uow_factory() as uow:
        request = uow.requests.get(request_id)
        assert (request.reminded_to, request.escalated_to) == ("U0TL", "U0COORD")
        sent = [(m.payload["occasion"], m.recipient) for m in uow.outbox.list(kind="request_decision")]
        assert sent == [("routed", "U0TL"), ("reminder", "U0TL"), ("escalated", "U0COORD")]
        (escalated,) = uow.audit.list(action="request.escalated")
        assert (escalated.actor, escalated.detail["why"]) == ("coregroup", "not decided within 2 working days")


def test_a_decided_request_is_never_chased(uow_factory):
    request_id = ask(uow_factory)
    with uow_factory() as uow:
        decide_request(
            uow=uow,
            now=FRIDAY + timedelta(hours=1),
            request_id=request_id,
            user="U0TL",
            approve=False,
            reason="Covered",
        )
        uow.commit()
    assert chase(uow_factory, now=local(2027, 8, 9, 9, 0)) == 0


def test_two_sweeps_at_the_same_moment_send_one_reminder(uow_factory):
    ask(uow_factory)
    chase(uow_factory, now=local(2027, 8, 3, 13, 0))  # the case's unrecorded meeting: chased before the race
    results: list[int] = []
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        results.append(sweep_obligations(uow_factory=uow_factory, now=local(2027, 8, 3, 14, 0)))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [0, 1]
    with uow_factory() as uow:
        assert len([m for m in uow.outbox.list(kind="request_decision") if m.payload["occasion"] == "reminder"]) == 1
        assert len(uow.audit.list(action="request.reminded")) == 1


def test_a_delegate_replaces_the_earlier_one_and_can_be_turned_off(uow_factory):
    with uow_factory() as uow:
        set_delegate(uow=uow, now=FRIDAY, principal="U0TL", delegate="U0DEP", until=date(2027, 8, 13))
        set_delegate(uow=uow, now=FRIDAY, principal="U0TL", delegate="U0CHAIR", until=date(2027, 8, 20))
        uow.commit()
    with uow_factory() as uow:
        assert (
            uow.delegates.active_for("U0TL", on=date(2027, 8, 2), scopes=[Scope.REQUEST_DECISIONS]).delegate
            == "U0CHAIR"
        )
        assert [m.recipient for m in uow.outbox.list(kind="delegate_appointed")] == ["U0DEP", "U0CHAIR"]
        assert end_delegate(uow=uow, now=FRIDAY, principal="U0TL") is True
        uow.commit()
    with uow_factory() as uow:
        assert uow.delegates.active_for("U0TL", on=date(2027, 8, 2), scopes=[Scope.REQUEST_DECISIONS]) is None
        assert [e.action for e in uow.audit.list() if e.action.startswith("delegate.")] == [
            "delegate.set",
            "delegate.set",
            "delegate.ended",
        ]


def test_only_a_team_leader_or_the_coordinator_can_set_a_delegate(uow_factory):
    with uow_factory() as uow, pytest.raises(NotAllowedError):
        set_delegate(uow=uow, now=FRIDAY, principal="U0HV", delegate="U0DEP", until=date(2027, 8, 13))
    with uow_factory() as uow:
        set_delegate(uow=uow, now=FRIDAY, principal="U0COORD", delegate="U0DEPC", until=date(2027, 8, 13))
        uow.commit()
    with uow_factory() as uow:
        assert (
            uow.delegates.active_for("U0COORD", on=date(2027, 8, 13), scopes=[Scope.COORDINATION]).delegate == "U0DEPC"
        )


def test_a_team_leaders_own_request_goes_to_the_coordinator_who_decides_it_finally(uow_factory):
    request_id = ask(uow_factory, user="U0TL")
    with uow_factory() as uow:
        request = uow.requests.get(request_id)
        assert (request.decider, request.routed_to) == ("U0COORD", "U0COORD")
        (message,) = uow.outbox.list(kind="request_decision")
        assert message.recipient == "U0COORD" and message.payload["decider_role"] == "coordinator"
    with uow_factory() as uow, pytest.raises(NotYoursError):
        decide_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0TL", approve=False, reason="No")
    with uow_factory() as uow:
        decide_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0COORD", approve=False, reason="No need")
        uow.commit()
    with uow_factory() as uow, pytest.raises(NotAllowedError, match="nobody further to ask"):
        escalate_request(uow=uow, now=FRIDAY, request_id=request_id, user="U0TL")
