"""Teams pacing: Microsoft's per-conversation windows and the tenant's budget, whatever arrives when."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.pacing import POST, UPDATE
from teams.pacing import TeamsPacer

TENANTS = {"a:1": "t1", "a:2": "t1", "a:3": "t1", "19:x": "t2"}


def _pacer(**kwargs) -> TeamsPacer:
    return TeamsPacer(tenant_of=lambda scope: TENANTS.get(scope, "t1"), random=lambda: 0.5, **kwargs)


def _most_in_any(times: list[float], seconds: float) -> int:
    """The most sends that fall in any closed window of `seconds` (Microsoft's boundaries are not ours to know)."""
    times, most, window = sorted(times), 0, deque[float]()
    for t in times:
        window.append(t)
        while window[0] < t - seconds:
            window.popleft()
        most = max(most, len(window))
    return most


def _drain(
    pacer: TeamsPacer, arrivals: list[tuple[float, str]], latency: float
) -> dict[str, list[tuple[float, float]]]:
    """Send every arrival as the dispatcher would (the soonest ready first); (started, finished) per conversation."""
    pending = sorted(arrivals)
    now, sent = 0.0, {}
    while pending:
        ready = [(max(pacer.ready_at(POST, scope), at, now), i) for i, (at, scope) in enumerate(pending)]
        start, i = min(ready)
        _, scope = pending.pop(i)
        now = start + latency
        pacer.sent(POST, scope, started=start, finished=now)
        sent.setdefault(scope, []).append((start, now))
    return sent


def test_a_conversation_takes_a_burst_of_seven_then_about_one_a_second():
    pacer = _pacer()
    sent = _drain(pacer, [(0.0, "a:1")] * 20, latency=0.0)
    starts = [start for start, _ in sent["a:1"]]
    assert starts[6] < 0.1  # the seven at once (the tenant's own burst of 5 spaces the last two by 1/30 s)
    assert starts[7] > 1.0 and starts[-1] >= 13.0  # then one a second, never the eighth within the first second
    assert _most_in_any(starts, 1.0) == 7


def test_another_conversation_is_not_held_up_by_a_busy_one():
    pacer = _pacer()
    _drain(pacer, [(0.0, "a:1")] * 7, latency=0.01)
    assert pacer.ready_at(POST, "a:1") > 1.0
    assert pacer.ready_at(POST, "a:2") < 0.2  # only the tenant's spacing (1/30 s) after the last answer


def test_retry_after_blocks_the_conversation_posts_and_updates_alike_and_no_other():
    pacer = _pacer()
    pacer.limited(POST, "a:1", 5, started=0.0, finished=0.2)
    assert pacer.ready_at(POST, "a:1") == 5.2
    assert pacer.ready_at(UPDATE, "a:1") == 5.2
    assert pacer.ready_at(POST, "a:2") == 0.0


def test_a_second_conversation_refused_while_the_first_waits_blocks_the_whole_tenant():
    pacer = _pacer()
    pacer.limited(POST, "a:1", 3, started=0.0, finished=0.1)
    pacer.limited(POST, "a:2", 4, started=0.2, finished=0.3)
    assert pacer.ready_at(POST, "a:3") == 4.3  # never refused itself, but its tenant is
    assert pacer.ready_at(POST, "19:x") == 0.0  # another tenant is not held


def test_a_tenant_is_kept_under_its_budget_across_its_conversations():
    pacer = _pacer(tenant_rate=30.0, tenant_burst=5)
    arrivals = [(0.0, scope) for scope in ("a:1", "a:2", "a:3") for _ in range(40)]
    sent = _drain(pacer, arrivals, latency=0.0)
    starts = [start for sends in sent.values() for start, _ in sends]
    assert len(starts) == 120
    assert _most_in_any(starts, 1.0) <= 35  # the budget of 30 a second and a burst of 5, below Microsoft's 50


def test_server_errors_are_retried_after_a_jittered_exponential_backoff_capped_at_five_minutes():
    low, high = TeamsPacer(random=lambda: 0.0), TeamsPacer(random=lambda: 0.999999)
    assert [low.backoff(n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert [round(high.backoff(n)) for n in (1, 2, 3)] == [2, 4, 8]
    assert high.backoff(30) <= 300.0 and low.backoff(30) == 150.0


def test_a_clock_moved_by_hand_moves_every_limit_with_it():
    pacer = _pacer()
    moment = datetime(2027, 5, 17, 9, tzinfo=timezone.utc)
    pacer.follow(moment, 0.0)
    pacer.limited(POST, "a:1", 30, started=0.0, finished=0.0)
    pacer.follow(moment + timedelta(seconds=31), 1.0)  # the bot's clock went 30 s further than the monotonic one
    assert pacer.ready_at(POST, "a:1") <= 1.0


def test_forgotten_state_is_only_what_no_longer_limits_anything():
    pacer = _pacer()
    _drain(pacer, [(0.0, "a:1")] * 60, latency=0.0)
    last = pacer.ready_at(POST, "a:1")
    pacer.forget_before(last - 1.0)
    assert pacer.ready_at(POST, "a:1") == last
    pacer.forget_before(10_000.0)
    assert pacer.ready_at(POST, "a:1") == 0.0


arrival = st.tuples(st.floats(min_value=0.0, max_value=90.0, allow_nan=False), st.sampled_from(sorted(TENANTS)))


@settings(max_examples=60, deadline=None)
@given(
    arrivals=st.lists(arrival, min_size=1, max_size=250),
    latency=st.floats(min_value=0.0, max_value=0.3, allow_nan=False),
    bursts=st.lists(st.sampled_from(sorted(TENANTS)), max_size=150),
)
def test_no_conversation_ever_gets_more_than_7_in_a_second_8_in_2_or_60_in_30(arrivals, latency, bursts):
    pacer = _pacer()
    sent = _drain(pacer, arrivals + [(5.0, scope) for scope in bursts], latency=latency)
    assert sum(len(v) for v in sent.values()) == len(arrivals) + len(bursts)  # nothing left behind
    for sends in sent.values():
        # Counted as Microsoft could see them: each request arrives somewhere between its start and its answer.
        for seen in ([s for s, _ in sends], [f for _, f in sends]):
            assert _most_in_any(seen, 1.0) <= 7
            assert _most_in_any(seen, 2.0) <= 8
            assert _most_in_any(seen, 30.0) <= 60
