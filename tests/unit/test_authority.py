"""The one rule for who may act for whom: a delegation covers exactly what its scope says."""

from __future__ import annotations

from bot.authority import COVERS, Acting, Duty, Scope, may_act, scopes_covering

CHAIR_OF = ("U0CHAIR", Duty.CHAIR)
COORDINATOR_OF = ("U0COORD", Duty.COORDINATE)


def test_a_request_decision_delegation_never_covers_chairing_or_the_coordinators_other_work():
    assert Duty.CHAIR not in COVERS[Scope.REQUEST_DECISIONS]
    assert Duty.COORDINATE not in COVERS[Scope.REQUEST_DECISIONS]
    assert scopes_covering(Duty.CHAIR) == (Scope.CHAIRING,)


def test_the_coordinators_work_includes_the_coordinators_decisions_on_requests_but_not_a_team_leaders():
    assert scopes_covering(Duty.DECIDE_AS_COORDINATOR) == (Scope.REQUEST_DECISIONS, Scope.COORDINATION)
    assert scopes_covering(Duty.DECIDE_AS_TEAM_LEADER) == (Scope.REQUEST_DECISIONS,)


def test_the_principal_acts_in_their_own_right_and_their_covering_delegate_for_them():
    delegates = {("U0CHAIR", Duty.CHAIR): "U0DEP"}
    assert may_act("U0CHAIR", [CHAIR_OF], delegates) == Acting("U0CHAIR", None, Duty.CHAIR)
    assert may_act("U0DEP", [CHAIR_OF, COORDINATOR_OF], delegates) == Acting("U0DEP", "U0CHAIR", Duty.CHAIR)


def test_anyone_else_or_a_delegate_for_another_duty_may_not_act():
    assert may_act("U0DEP", [CHAIR_OF], {("U0CHAIR", Duty.DECIDE_AS_TEAM_LEADER): "U0DEP"}) is None
    assert may_act("U0HV", [CHAIR_OF, COORDINATOR_OF], {}) is None
    assert may_act("U0HV", [(None, Duty.CHAIR)], {}) is None  # a case with no chair: nobody chairs it
