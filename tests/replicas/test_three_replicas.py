"""Three `coregroup run` replicas on one PostgreSQL against a rate-limited fake Slack: each sweep step once, one
digest per organisation, each notice delivered once, and a standby takes over when the dispatcher is SIGKILLed."""

from __future__ import annotations

import os
import time
import urllib.request
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from bot.notices import NoticeKind
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from sandbox.fake_slack import FakeSlack
from store.db import make_engine, make_session_factory
from store.migrate import current_revision
from store.uow import UnitOfWork
from tests.conftest import PG_SKIP_REASON
from tests.harness import BOT_TOKEN, CASE, SIGNING_SECRET, organisation_file, postgres_database
from tests.replicas.cluster import dispatcher_pids, start_replicas

pytestmark = pytest.mark.postgres

UTC = timezone.utc
NINE = datetime(2027, 5, 20, 8, 0, tzinfo=UTC)  # Thu 20 May 2027 09:00 BST: digests and meeting reminders due
ORGANISATIONS, CASES_EACH = 3, 20
NOTICES, CHANNELS = 2000, 100
AFTER_KILL = 1000
# The fake's limits scaled up 5x from Slack's (1/s per channel) so the test takes seconds, not minutes; the
# replicas are told the per-channel spacing, and learn the workspace limit from the 429s as in production.
PER_CHANNEL, GLOBAL = 5.0, 100.0


@pytest.fixture
def database_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("replicas share one PostgreSQL (SQLite is one process only); " + PG_SKIP_REASON)
    with postgres_database(url) as database:
        yield database


@pytest.fixture
def fake():
    with FakeSlack() as fake:
        fake.set_rate_limit(per_channel_per_second=PER_CHANNEL, global_per_second=GLOBAL)
        yield fake


def organisations(uow_factory) -> None:
    for o in range(ORGANISATIONS):
        cases = [
            dict(CASE, reference=f"CP-2027-{o}{i:03d}", channel=f"C0O{o}C{i:03d}", chair=f"U0CHAIR{o}")
            for i in range(CASES_EACH)
        ]
        data = organisation_file(organisation={"name": f"Council {o}", "coordinator": f"U0COORD{o}"}, cases=cases)
        with uow_factory() as uow:
            import_organisation(parse_organisation_file(data), uow=uow, now=NINE - timedelta(days=3))
            uow.commit()


def enqueue(uow_factory, prefix: str, count: int) -> None:
    with uow_factory() as uow:
        uow.outbox.enqueue_many(
            [
                {
                    "key": f"proof:{prefix}:{i}",
                    "kind": NoticeKind.MEETING_SCHEDULED,
                    "recipient": f"C0P{i % CHANNELS:04d}",
                    "payload": {
                        "reference": f"{prefix}-{i:05d}",
                        "kind": "regular",
                        "starts_at": NINE.isoformat(),
                        "timezone": "Europe/London",
                        "mode": "online",
                        "note": None,
                        "scheduled_by": None,
                    },
                }
                for i in range(count)
            ],
            now=NINE - timedelta(minutes=1),
        )
        uow.commit()


def unsent(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM outbox WHERE status <> 'sent'")).scalar_one()


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.25)


def posted(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.ok]


def posts_per_reference(fake, prefix: str) -> Counter:
    texts = (c.params.get("text", "") for c in posted(fake))
    return Counter(t.split(" for ")[1].split(" ")[0] for t in texts if f" for {prefix}-" in t)


def repeats(engine, fake) -> int:
    """Posts Slack took that no outbox row records as its delivery: the same notice sent again."""
    with engine.connect() as connection:
        recorded = set(connection.execute(text("SELECT message_channel, message_ts FROM outbox")).all())
    return sum(1 for c in posted(fake) if (c.response["channel"], c.response["ts"]) not in recorded)


def healthy(replica) -> bool:
    with urllib.request.urlopen(f"{replica.url}/healthz", timeout=5) as answer:
        return answer.status == 200


def test_three_replicas_send_each_notice_once_and_a_standby_takes_over_from_a_killed_dispatcher(
    database_url, fake, tmp_path
):
    replicas = start_replicas(
        3,
        database_url=database_url,
        api_url=fake.api_url,
        signing_secret=SIGNING_SECRET,
        token=BOT_TOKEN,
        start=NINE,
        log_dir=tmp_path,
        extra_args=("--claim-seconds", "15", "--channel-interval", str(1 / PER_CHANNEL)),
    )
    engine = make_engine(database_url)
    uow_factory = lambda: UnitOfWork(make_session_factory(engine))  # noqa: E731 - a one-line local helper
    try:
        # Started together on an empty database, the three migrated it one after the other.
        assert current_revision(engine) is not None
        organisations(uow_factory)
        enqueue(uow_factory, "CP-A", NOTICES)
        for replica in replicas:  # the 09:00 sweep in all three at once
            replica.go()

        wait_until(lambda: unsent(engine) == 0, timeout=60, what="every notice is sent")
        sent = posts_per_reference(fake, "CP-A")
        assert len(sent) == NOTICES and set(sent.values()) == {1}  # none lost, none twice
        assert repeats(engine, fake) == 0  # nor any notice of the sweeps
        with uow_factory() as uow:
            digests = uow.outbox.list(kind=NoticeKind.COORDINATOR_DIGEST)
            swept = [m for m in uow.outbox.list() if not m.idempotency_key.startswith("proof:")]
            assert len(uow.audit.list(action="digest.sent")) == ORGANISATIONS
        assert sorted(d.recipient for d in digests) == [f"U0COORD{o}" for o in range(ORGANISATIONS)]
        assert len(swept) > ORGANISATIONS  # the meeting reminders went too, each once
        assert len(posted(fake)) == NOTICES + len(swept)
        [dispatcher] = dispatcher_pids(engine)  # one replica's worker dispatched all of it
        [victim] = [r for r in replicas if r.holds(dispatcher)]

        enqueue(uow_factory, "CP-K", AFTER_KILL)
        wait_until(
            lambda: len(posts_per_reference(fake, "CP-K")) >= AFTER_KILL // 5,
            timeout=30,
            what="the sending is under way",
        )
        victim.kill()
        killed_at = time.time()
        survivors = [r for r in replicas if r is not victim]

        wait_until(lambda: unsent(engine) == 0, timeout=60, what="a standby has sent everything else")
        after = posts_per_reference(fake, "CP-K")
        assert len(after) == AFTER_KILL  # nothing lost
        assert sum(n - 1 for n in after.values()) <= 1 and repeats(engine, fake) <= 1  # at most the one in flight
        [successor] = dispatcher_pids(engine)
        assert any(r.holds(successor) for r in survivors)
        resumed = min(c.at for c in posted(fake) if c.at > killed_at)
        assert resumed - killed_at < 60  # taken over within a minute (in practice about a second)
        assert all(healthy(r) for r in survivors)
    finally:
        for replica in replicas:
            replica.stop()
        engine.dispose()
