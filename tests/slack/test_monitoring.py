"""What an operator sees: GET /metrics scraped over HTTP, and /healthz watching the sweep and the dispatcher."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from prometheus_client.parser import text_string_to_metric_families

from bot.scheduler import build_scheduler
from tests.harness import CASE, organisation_file

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
START = datetime(2027, 5, 17, 9, 0, tzinfo=timezone.utc)
TWO_CASES = organisation_file(cases=[dict(CASE), dict(CASE, reference="CP-2027-0200", channel="C0CASE200")])


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with OPENER.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def scrape(bot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics shows, by name and labels, parsed as Prometheus parses it."""
    status, headers, body = get(f"{bot.url}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def health(bot) -> tuple[int, dict]:
    status, _, body = get(f"{bot.url}/healthz")
    return status, json.loads(body)


SLACK_POST = (("method", "chat.postMessage"), ("platform", "slack"))


def test_metrics_show_a_waiting_notice_and_how_long_it_has_waited(bot):
    bot.at(START).import_organisation()  # the meeting is announced through the outbox
    bot.at(START + timedelta(seconds=90))
    samples = scrape(bot)
    assert samples[("coregroup_outbox_pending", ())] == 1
    assert samples[("coregroup_outbox_oldest_pending_age_seconds", ())] == 90
    assert samples[("coregroup_metrics_database_up", ())] == 1


def test_metrics_count_a_sent_notice_by_platform_and_method_and_the_outbox_empties(bot):
    bot.at(START).import_organisation()
    assert len(bot.dispatch().sent) == 1
    samples = scrape(bot)
    assert samples[("coregroup_notices_sent_total", SLACK_POST)] == 1
    assert samples[("coregroup_outbox_pending", ())] == 0
    assert samples[("coregroup_outbox_oldest_pending_age_seconds", ())] == 0


def test_metrics_count_a_429_from_slack_apart_from_sends_and_failures(bot):
    bot.at(START).import_organisation()
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=30)
    report = bot.dispatch()
    assert report.sent == [] and len(report.retrying) == 1
    samples = scrape(bot)
    assert samples[("coregroup_rate_limited_total", SLACK_POST)] == 1
    assert ("coregroup_notices_sent_total", SLACK_POST) not in samples
    assert samples[("coregroup_outbox_pending", ())] == 1  # it waits out the Retry-After


def test_metrics_count_permanent_and_temporary_failures_separately(bot):
    bot.at(START).import_organisation(TWO_CASES)
    bot.fake.fail_next("chat.postMessage", error="channel_not_found")
    bot.fake.fail_next("chat.postMessage", status=503, error="service_unavailable")
    bot.dispatch()
    samples = scrape(bot)
    assert samples[("coregroup_notice_failures_total", (("kind", "permanent"), *SLACK_POST))] == 1
    assert samples[("coregroup_notice_failures_total", (("kind", "temporary"), *SLACK_POST))] == 1


def test_metrics_count_overdue_obligations_by_kind_at_the_time_of_the_scrape(bot):
    bot.at(START).import_organisation()  # the first meeting is owed by 24 May 08:00, its record by 25 May 08:00
    assert ("coregroup_obligations_overdue", (("kind", "first_meeting"),)) not in scrape(bot)
    bot.at(datetime(2027, 5, 24, 8, 30, tzinfo=timezone.utc))
    samples = scrape(bot)  # no sweep has run since: the figure is read from the ledger as the scrape happens
    assert samples[("coregroup_obligations_overdue", (("kind", "first_meeting"),))] == 1
    assert ("coregroup_obligations_overdue", (("kind", "meeting_record"),)) not in samples
    bot.at(datetime(2027, 5, 25, 9, 0, tzinfo=timezone.utc))
    assert scrape(bot)[("coregroup_obligations_overdue", (("kind", "meeting_record"),))] == 1


def test_metrics_time_each_sweep_and_say_how_long_since_each_pass(bot):
    bot.sweep(START)
    bot.at(START + timedelta(seconds=45))
    samples = scrape(bot)
    assert samples[("coregroup_sweep_duration_seconds_count", ())] == 1
    assert samples[("coregroup_seconds_since_pass", (("pass", "sweep"),))] == 45
    assert samples[("coregroup_seconds_since_pass", (("pass", "dispatcher"),))] == 45


def test_request_latency_is_observed_by_route_and_unknown_paths_share_one_label(bot):
    get(f"{bot.url}/healthz")
    get(f"{bot.url}/admin")
    get(f"{bot.url}/wp-login.php")
    bot.import_organisation()
    bot.slack.slash_command(command="/core-group", text="help", user_id="U0CHAIR", channel_id="C0CASE142")
    samples = scrape(bot)  # this scrape is observed once it has been answered
    count = "coregroup_http_request_duration_seconds_count"
    assert samples[(count, (("route", "/healthz"),))] == 1
    assert samples[(count, (("route", "other"),))] == 2
    assert samples[(count, (("route", "/slack/events"),))] == 1
    assert (count, (("route", "/metrics"),)) not in samples
    assert scrape(bot)[(count, (("route", "/metrics"),))] == 1


def test_every_answer_carries_a_fresh_request_id(bot):
    ids = {get(f"{bot.url}/healthz")[1]["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(each) == 16 for each in ids)


def test_each_runtime_keeps_its_own_metrics(bot):
    from bot.app import build_runtime

    other = build_runtime(bot.settings, clock=bot.clock, engine=bot.engine)
    bot.at(START).import_organisation()
    bot.dispatch()
    assert b'coregroup_notices_sent_total{method="chat.postMessage",platform="slack"} 1.0' in (
        bot.runtime.metrics.exposition()
    )
    assert b"coregroup_notices_sent_total{" not in other.metrics.exposition()


def test_healthz_is_ok_while_a_just_started_bot_has_not_finished_its_first_passes(bot):
    assert health(bot) == (
        200,
        {"status": "ok", "database": "ok", "sweep": "starting: no pass yet", "dispatcher": "starting: no pass yet"},
    )


def test_healthz_answers_503_naming_what_has_stalled_and_200_once_both_passes_are_fresh(bot):
    bot.sweep(START)
    assert health(bot) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})
    bot.at(START + timedelta(minutes=3))
    assert health(bot) == (
        503,
        {
            "status": "error",
            "database": "ok",
            "sweep": "stale: last pass 3 min ago",
            "dispatcher": "stale: last pass 3 min ago",
        },
    )
    bot.dispatch()  # the dispatcher goes on; the sweep is still stuck
    assert health(bot) == (
        503,
        {"status": "error", "database": "ok", "sweep": "stale: last pass 3 min ago", "dispatcher": "ok"},
    )
    bot.runtime.sweep()
    assert health(bot) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})


def test_healthz_counts_from_start_up_when_no_pass_has_ever_completed(bot):
    bot.at(bot.runtime.passes.started + timedelta(minutes=5))
    status, body = health(bot)
    assert status == 503
    assert body["sweep"] == body["dispatcher"] == "stale: no pass in the 5 min since start-up"


def test_the_schedulers_ticks_keep_healthz_fresh(bot):
    bot.at(START + timedelta(minutes=10))
    assert health(bot)[0] == 503
    scheduler = build_scheduler(bot.runtime, now=bot.clock.now())
    for job in scheduler.get_jobs():  # each job once, as APScheduler fires them at start-up
        job.func()
    assert health(bot) == (200, {"status": "ok", "database": "ok", "sweep": "ok", "dispatcher": "ok"})


def test_metrics_count_every_platforms_sends_under_its_own_label(bot):
    from tests.slack.test_platform_dispatch import TEAMS_ORG, RecordingTeamsSender

    bot.at(START).import_organisation(TEAMS_ORG)
    bot.runtime.senders["teams"] = RecordingTeamsSender()  # as the Teams transport plugs in
    assert len(bot.dispatch().sent) == 1
    samples = scrape(bot)
    assert samples[("coregroup_notices_sent_total", (("method", "post"), ("platform", "teams")))] == 1
    assert ("coregroup_notices_sent_total", SLACK_POST) not in samples


def test_metrics_say_when_the_dispatcher_last_passed_and_that_this_process_dispatches(bot):
    bot.at(START).dispatch()
    samples = scrape(bot)
    assert samples[("coregroup_dispatcher_standing_by", ())] == 0  # one process: it dispatches
    assert samples[("coregroup_last_pass_timestamp_seconds", (("pass", "dispatcher"),))] == START.timestamp()
