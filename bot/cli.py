"""The `coregroup` command: run the bot, migrate, sweep, manage the case registry, check config."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime, timezone

from bot import cli_run
from bot.config import Settings
from bot.errors import ConfigError
from bot.logs import LOG_FORMATS, configure_logging

log = logging.getLogger("coregroup")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    log_format = getattr(args, "log_format", None) or os.environ.get("COREGROUP_LOG_FORMAT") or "text"
    if log_format not in LOG_FORMATS:
        print(f"COREGROUP_LOG_FORMAT must be one of: {', '.join(LOG_FORMATS)}.", file=sys.stderr)
        return 2
    configure_logging(logging.DEBUG if getattr(args, "verbose", False) else logging.INFO, log_format=log_format)
    settings = Settings.from_env()
    try:
        return args.handler(args, settings)
    except ConfigError as exc:
        print("The organisation file has problems:", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coregroup", description="Keep child-protection core groups to procedure.")
    sub = parser.add_subparsers(metavar="command")

    run = sub.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, otherwise HTTP)")
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP address to listen on (default 0.0.0.0)")
    run.add_argument("--verbose", action="store_true", help="debug logging")
    run.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=None,
        help="text (default) or json: one object per event, with a request id (env: COREGROUP_LOG_FORMAT)",
    )
    run.add_argument(
        "--no-worker",
        action="store_true",
        help="sweep and dispatch in this process too, instead of in a worker process of its own",
    )
    run.set_defaults(handler=cli_run.run)

    worker = sub.add_parser("worker", help="the sweep and the dispatcher only (`coregroup run` starts one itself)")
    worker.add_argument("--verbose", action="store_true", help="debug logging")
    worker.set_defaults(handler=cli_run.worker)

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler=_migrate)

    sweep = sub.add_parser("sweep", help="run one sweep and one dispatch pass, as if at --now")
    sweep.add_argument("--now", type=_iso_datetime, default=None, help="ISO-8601 time, e.g. 2027-06-01T09:00Z")
    sweep.set_defaults(handler=_sweep)

    cases = sub.add_parser("cases", help="the case registry")
    cases_sub = cases.add_subparsers(metavar="action")
    imp = cases_sub.add_parser("import", help="import or update cases from an organisation file")
    imp.add_argument("file")
    imp.set_defaults(handler=_cases_import)
    lst = cases_sub.add_parser("list", help="list registered cases")
    lst.set_defaults(handler=_cases_list)

    retention = sub.add_parser(
        "retention",
        help="closed cases past the organisation's retention_years: --dry-run lists them, --apply removes them",
    )
    retention.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    retention.add_argument("--apply", action="store_true", help="remove them, leaving an audit entry with counts")
    retention.add_argument("--now", type=_iso_datetime, default=None, help="ISO-8601 time, e.g. 2035-06-01T09:00Z")
    retention.set_defaults(handler=_retention)

    check = sub.add_parser("check-config", help="validate the organisation file (default: $COREGROUP_CONFIG)")
    check.add_argument("file", nargs="?")
    check.set_defaults(handler=_check_config)

    package = sub.add_parser("teams-package", help="build the Microsoft Teams app package (zip) from TEAMS_APP_ID")
    package.add_argument("--out", default="coregroup-teams.zip", help="where to write it (default coregroup-teams.zip)")
    package.add_argument("--version", default="1.0.0", help="the app's version; raise it for every update (1.0.0)")
    package.add_argument("--developer", required=True, help="who publishes it, e.g. 'Example Council Digital'")
    package.add_argument("--website", required=True, help="the publisher's https:// site (privacy and terms under it)")
    package.set_defaults(handler=_teams_package)

    from bot.cli_profiles import add_commands as add_profile_commands

    add_profile_commands(sub)

    demo = sub.add_parser("demo", help="try the bot in a browser: a local Slack sandbox with a demo organisation")
    demo.add_argument("--port", type=int, default=3000, help="the page's port (default 3000)")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    demo.add_argument("--verbose", action="store_true", help="debug logging")
    demo.set_defaults(handler=cli_run.demo)
    return parser


def _iso_datetime(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an ISO-8601 date and time (e.g. 2027-06-01T09:00Z)"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"'{value}' needs a time zone (e.g. 2027-06-01T09:00Z or +01:00)")
    return moment.astimezone(timezone.utc)


def _engine(settings: Settings):
    from store.db import make_engine

    return make_engine(settings.database_url)


def _migrate(args, settings: Settings) -> int:
    from store.migrate import current_revision, upgrade

    engine = _engine(settings)
    upgrade(engine)
    print(f"Database at revision {current_revision(engine)}.")
    return 0


def _check_config(args, settings: Settings) -> int:
    from bot.orgfile import load_organisation_file

    path = args.file or settings.config_path
    if not path:
        print("No organisation file: give one (coregroup check-config FILE) or set COREGROUP_CONFIG.", file=sys.stderr)
        return 2
    file = load_organisation_file(path)
    print(f"{path}: OK — {file.organisation.name}, profile {file.organisation.profile}, {len(file.cases)} cases.")
    return 0


def _teams_package(args, settings: Settings) -> int:
    from teams.package import build_manifest, build_package

    if settings.teams is None:
        print("Set TEAMS_APP_ID (the bot's Entra application id): the package names the bot by it.", file=sys.stderr)
        return 2
    manifest = build_manifest(
        app_id=settings.teams.app_id, version=args.version, developer=args.developer, website=args.website
    )
    try:
        data = build_package(manifest)
    except ValueError as exc:
        print(f"The Teams app package was not written: {exc}", file=sys.stderr)
        return 1
    with open(args.out, "wb") as out:
        out.write(data)
    print(f"Wrote {args.out}: upload it in the Teams admin centre (Manage apps > Upload new app).")
    return 0


def _cases_import(args, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.orgfile import load_organisation_file
    from bot.services.cases import import_organisation
    from store.db import make_session_factory
    from store.migrate import upgrade
    from store.uow import UnitOfWork

    file = load_organisation_file(args.file)  # a bad file stops here, before anything is written
    engine = _engine(settings)
    upgrade(engine)
    with UnitOfWork(make_session_factory(engine)) as uow:
        report = import_organisation(file, uow=uow, now=SystemClock().now())
        uow.commit()
    print("\n".join(report.lines()))
    return 0


def _cases_list(args, settings: Settings) -> int:
    from bot.services.cases import list_cases
    from store.db import make_session_factory
    from store.migrate import upgrade
    from store.uow import UnitOfWork

    engine = _engine(settings)
    upgrade(engine)
    with UnitOfWork(make_session_factory(engine)) as uow:
        cases = list_cases(uow=uow)
    if not cases:
        print("No cases registered. Import some with: coregroup cases import FILE")
        return 0
    print(f"{'reference':<16} {'channel':<12} {'status':<7} {'chair':<12} {'team leader':<12} members")
    for c in cases:
        print(
            f"{c.reference:<16} {c.channel:<12} {c.status:<7} {c.chair or '-':<12} {c.team_leader or '-':<12} "
            f"{c.member_count} + {len(c.participants_without_slack)} without Slack"
        )
    return 0


def _sweep(args, settings: Settings) -> int:
    from bot.app import build_runtime
    from bot.clock import FixedClock, SystemClock
    from store.migrate import upgrade

    clock = FixedClock(args.now) if args.now else SystemClock()
    runtime = build_runtime(settings, clock=clock)
    upgrade(runtime.engine)
    try:
        swept = runtime.sweep()
        sent = runtime.dispatch()
    finally:
        runtime.close()
    print(f"Sweep at {clock.now().isoformat(timespec='minutes')}: {swept.total} notices enqueued.")
    if sent.standing_by:
        print("  another process (a running replica) dispatches the outbox: it sends them")
    for kind, recipient, delivery in sent.deliveries:
        print(f"  sent {kind} to {recipient} (ts {delivery.ts})")
    if sent.retrying or sent.failed:
        print(f"  {len(sent.retrying)} to retry, {len(sent.failed)} failed")
    return 0


def _retention(args, settings: Settings) -> int:
    if args.dry_run == args.apply:
        print(
            "Say exactly one of --dry-run (list the closed cases past their retention period; nothing is removed) "
            "or --apply (remove them).",
            file=sys.stderr,
        )
        return 2
    from bot.clock import SystemClock
    from bot.services.retention import apply_retention, review_retention
    from store.db import make_session_factory
    from store.migrate import upgrade
    from store.uow import UnitOfWork

    now = args.now or SystemClock().now()
    engine = _engine(settings)
    upgrade(engine)
    with UnitOfWork(make_session_factory(engine)) as uow:
        report = apply_retention(uow=uow, now=now) if args.apply else review_retention(uow=uow, now=now)
        uow.commit()
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
