"""`coregroup run`, `coregroup worker` and `coregroup demo`: the long-running commands.

`run` answers Slack (HTTP or Socket Mode) and starts its worker (`bot.worker`), a child process that sweeps and
dispatches; `run --no-worker` does all three in one process. On SQLite one `run` (with its worker) per file.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Literal

from bot.config import Settings

if TYPE_CHECKING:
    from bot.single_process import DatabaseLock

log = logging.getLogger("coregroup")


def run(args, settings: Settings) -> int:
    missing = settings.missing_for_run()
    if missing:
        no_credentials = not settings.has_slack and settings.teams is None
        print(
            "No Slack credentials are set, so coregroup is starting the local sandbox instead. "
            "For Microsoft Teams, set TEAMS_APP_ID (README, 'Microsoft Teams')."
            if no_credentials
            else "coregroup run needs more settings.",
            file=sys.stderr,
        )
        print("To run against Slack" + (" or Teams" if settings.teams else "") + ", set:", file=sys.stderr)
        for line in missing:
            print(f"  {line}", file=sys.stderr)
        print("Create the app from manifest.yml (see README, 'Create the Slack app').", file=sys.stderr)
        if not no_credentials:
            return 2
        return demo(args, settings, host="127.0.0.1")
    held = _hold_database(settings.database_url)
    if held is False:
        return 1
    try:
        return _run_bot(args, settings)
    finally:
        if held is not None:
            held.release()


def _hold_database(database_url: str, *, unless_held_by: int | None = None) -> DatabaseLock | None | Literal[False]:
    """This process's lock on a SQLite database (None: not SQLite, or held by `unless_held_by`); False, said
    why, when another holds it."""
    from bot.single_process import AlreadyRunning, hold_sqlite_database

    try:
        return hold_sqlite_database(database_url, unless_held_by=unless_held_by)
    except AlreadyRunning as exc:
        print(exc, file=sys.stderr)
        return False


def _run_bot(args, settings: Settings) -> int:
    if args.no_worker:
        return _run_in_one_process(args, settings)
    from bot.app import build_runtime
    from bot.worker import WorkerProcess
    from bot.worker_metrics import WorkerDirectory
    from store.migrate import upgrade

    # The sweep and the dispatcher run in a worker process, so they never hold up the answers to Slack; what
    # it does reaches this process's /metrics and /healthz through files in a directory of this replica's own.
    shared = WorkerDirectory()
    worker = None
    worker_died: list[int] = []

    def stop_replica(status: int) -> None:
        worker_died.append(status)
        os.kill(os.getpid(), signal.SIGTERM)  # a replica without its worker stops whole; its supervisor restarts it

    try:
        runtime = build_runtime(settings, worker_dir=shared.path)
        upgrade(runtime.engine)
        if settings.config_path:
            _import_on_start(runtime, settings.config_path)
        environment = shared.environment()
        if args.log_format:
            environment["COREGROUP_LOG_FORMAT"] = args.log_format
        argv = [sys.executable, "-m", "bot.cli", "worker", *(["--verbose"] if args.verbose else [])]
        worker = WorkerProcess(argv, on_exit=stop_replica, env=environment)
        _serve(runtime, settings, args)
    finally:
        if worker is not None:
            worker.stop()  # it gives up the dispatcher lock: another replica takes over at once
        shared.remove()
    return 1 if worker_died else 0


def _run_in_one_process(args, settings: Settings) -> int:
    """`run --no-worker`: the sweep and the dispatcher on the scheduler's threads beside the HTTP server."""
    from bot.app import build_runtime
    from bot.scheduler import start_scheduler
    from store.migrate import upgrade

    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    if settings.config_path:
        _import_on_start(runtime, settings.config_path)
    scheduler = start_scheduler(runtime, now=runtime.services.clock.now())
    try:
        _serve(runtime, settings, args)
    finally:
        scheduler.shutdown(wait=False)
        runtime.close()
    return 0


def _serve(runtime, settings: Settings, args) -> None:
    if settings.socket_mode and runtime.app is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("starting in Socket Mode")
        handler = SocketModeHandler(runtime.app, settings.slack_app_token)
        if runtime.teams is None:
            handler.start()
            return
        handler.connect()  # Teams has no socket mode: its endpoint is served over HTTP beside it
    _serve_http(runtime, host=args.host, port=args.port)


def worker(args, settings: Settings) -> int:
    from bot.app import build_runtime
    from bot.worker import run_worker
    from store.migrate import upgrade

    # On SQLite a worker is one process with the `coregroup run` that started it (which holds the lock);
    # started by hand beside a running bot, it is a second process and is refused.
    held = _hold_database(settings.database_url, unless_held_by=os.getppid())
    if held is False:
        return 1
    try:
        runtime = build_runtime(settings)
        upgrade(runtime.engine)  # a no-op once `coregroup migrate` or `coregroup run` has upgraded
        return run_worker(runtime, now=runtime.services.clock.now())
    finally:
        if held is not None:
            held.release()


def demo(args, settings: Settings, *, host: str | None = None) -> int:
    from sandbox.demo import run_demo

    database_url = os.environ.get("DATABASE_URL") or None  # none: a fresh temporary database of its own
    held = _hold_database(database_url) if database_url else None
    if held is False:
        return 1
    try:
        return run_demo(port=args.port, host=host or args.host, database_url=database_url)
    finally:
        if held:
            held.release()


def _import_on_start(runtime, path: str) -> None:
    from bot.orgfile import load_organisation_file
    from bot.services.cases import import_organisation

    file = load_organisation_file(path)
    with runtime.services.uow_factory() as uow:
        report = import_organisation(file, uow=uow, now=runtime.services.clock.now(), actor="startup")
        uow.commit()
    for line in report.lines():
        log.info("%s", line)


def _serve_http(runtime, *, host: str, port: int) -> None:
    from bot.http_server import make_server

    server = make_server(runtime.wsgi(), host=host, port=port, threads=8)
    routes = (["POST /slack/events"] if runtime.app is not None and not runtime.settings.socket_mode else []) + (
        ["POST /api/messages"] if runtime.teams is not None else []
    )
    routes += ["GET /healthz", "GET /metrics"]
    log.info("listening on http://%s:%s (%s)", host, server.effective_port, ", ".join(routes))
    stop = threading.Event()

    def _stop(*_):
        stop.set()
        server.close()

    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    except OSError:
        if not stop.is_set():  # closing the server from the SIGTERM handler ends its select() with EBADF
            raise
    finally:
        server.close()
