"""The dispatcher's pacing: per-channel spacing with a short burst, Retry-After per method and channel, and
the workspace gap learnt from 429s."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.pacing import POST, UPDATE, Pacer


def test_a_channel_may_take_a_short_burst_then_one_message_a_second():
    pacer = Pacer(channel_burst=3)
    for t in (0.0, 0.01, 0.02):
        assert pacer.ready_at(POST, "C1") <= t
        pacer.sent(POST, "C1", started=t, finished=t)
    assert abs(pacer.ready_at(POST, "C1") - 1.0) < 1e-9  # the bucket refills one message a second


def test_another_channel_is_not_held_up_by_a_busy_one():
    pacer = Pacer(channel_burst=1)
    pacer.sent(POST, "C1", started=0.0, finished=0.05)
    assert pacer.ready_at(POST, "C1") == 1.05
    assert pacer.ready_at(POST, "C2") == 0.05  # only the workspace gap (not learnt yet: zero) after the last answer


def test_retry_after_blocks_only_its_own_method_and_channel():
    pacer = Pacer()
    pacer.limited(POST, "C1", 7, started=0.0, finished=0.1)
    assert pacer.ready_at(POST, "C1") == 7.1
    assert pacer.ready_at(UPDATE, "C1") == 0.0
    assert pacer.ready_at(UPDATE, "C2") == 0.0


def test_a_429_on_a_burst_takes_the_channels_burst_away():
    pacer = Pacer(channel_burst=4)
    pacer.sent(POST, "C1", started=0.0, finished=0.01)
    pacer.limited(POST, "C1", 1, started=0.02, finished=0.03)  # the channel's own limit (0.02 s after a post)
    pacer.sent(POST, "C1", started=1.03, finished=1.04)
    assert pacer.ready_at(POST, "C1") >= 2.04
    assert pacer.global_gap == 0.0


def test_a_429_on_a_channel_that_kept_its_spacing_teaches_the_workspace_gap():
    pacer = Pacer(channel_burst=1)
    pacer.sent(POST, "C1", started=0.0, finished=0.001)
    pacer.limited(POST, "C2", 1, started=0.005, finished=0.006)  # C2 had sent nothing: the workspace limit
    assert pacer.global_gap > 0.004  # more than the spacing Slack refused (from the last answer to this request)
    assert pacer.ready_at(POST, "C3") > 0.001 + 0.004


def test_the_workspace_gap_is_probed_down_after_a_run_of_successes_but_never_below_a_known_ceiling():
    pacer = Pacer(global_rate=50, probe_every=5)
    assert pacer.global_gap == 0.02
    for i in range(20):
        pacer.sent(POST, f"C{i}", started=i, finished=i)
    assert pacer.global_gap == 0.02
    learnt = Pacer(probe_every=5)
    learnt.limited(POST, "C1", 1, started=0.1, finished=0.1)
    before = learnt.global_gap
    for i in range(5):
        learnt.sent(POST, f"D{i}", started=i, finished=i)
    assert learnt.global_gap < before


def test_moving_the_bots_clock_by_hand_lets_the_same_time_pass_for_every_limit():
    pacer = Pacer()
    start = datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc)
    pacer.follow(start, 100.0)
    pacer.limited(POST, "C1", 30, started=100.0, finished=100.0)
    pacer.follow(start + timedelta(seconds=30), 100.5)  # 30 s on the bot's clock, half a second of real time
    assert pacer.ready_at(POST, "C1") <= 100.5


def test_forgotten_state_no_longer_limits_anything():
    pacer = Pacer()
    pacer.sent(POST, "C1", started=0.0, finished=0.0)
    pacer.limited(UPDATE, "C2", 1, started=0.0, finished=0.0)
    pacer.forget_before(100.0)
    assert pacer.ready_at(UPDATE, "C2") == 0.0 and pacer.ready_at(POST, "C1") == 0.0


def test_the_workspace_gap_is_only_probed_when_it_is_what_holds_messages_back():
    pacer = Pacer(probe_every=5, channel_burst=1)
    pacer.limited(POST, "C1", 1, started=0.1, finished=0.1)
    learnt = pacer.global_gap
    for i in range(20):  # every channel waits on its own one-a-second limit: the gap is not in the way
        pacer.sent(POST, f"C{i}", started=i, finished=i, held_by_gap=False)
    assert pacer.global_gap == learnt
    pacer.sent(POST, "C99", started=30.0, finished=30.0)
    assert pacer.gap_holds(POST, "C100") and not pacer.gap_holds(POST, "C99")  # C99 waits on its own limit
