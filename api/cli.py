"""The `fadaa` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.logs import configure_logging
from bot.admin_tokens import ROLES
from bot.config import SettingsError, load_settings
from bot.content import ContentError
from bot.store.database import StoreUnavailable
from bot.store.schema import SchemaNotReady


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging()
    try:
        return args.run(args)
    except (
        SettingsError,
        StoreUnavailable,
        SchemaNotReady,
        ContentError,
        FileNotFoundError,
    ) as error:
        print(f"fadaa: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fadaa", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    chat = _command(commands, "chat", _chat, "talk to Fadaa in the terminal")
    chat.add_argument("--user", default="local", help="who you are (the state is kept per user)")
    chat.add_argument(
        "--rtl",
        choices=("auto", "visual", "logical"),
        default="auto",
        help="Arabic display order (auto: visual on a terminal, logical to a pipe)",
    )

    classify = _command(commands, "classify", _classify, "print what Fadaa understands")
    classify.add_argument("text")

    evaluate = _command(commands, "nlu-eval", _nlu_eval, "measure the classifier on a JSONL file")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument(
        "--exclude-from-training",
        action="store_true",
        help="retrain without the file's rows first (honest evaluation)",
    )

    langid = _command(
        commands,
        "nlu-langid",
        _nlu_langid,
        "language and script id accuracy on JSONL files of text/lang/script rows",
    )
    langid.add_argument("files", type=Path, nargs="+")

    nlu_train = _command(
        commands,
        "nlu-train",
        _nlu_train,
        "retrain the shipped model from the phrases, with the accepted review list",
    )
    nlu_train.add_argument(
        "--skip-review",
        action="store_true",
        help="do not take the accepted phrases of the database's review list first",
    )

    doda = _command(
        commands,
        "nlu-doda",
        _nlu_doda,
        "rebuild the Darija lexicon and the ongoing/ check set from a DODa git copy",
    )
    doda.add_argument("git_dir", type=Path, help="a clone (or bare git dir) of DODa")

    serve = _command(commands, "serve", _serve, "run the webhooks service (uvicorn)")
    serve.add_argument("--host", help="default: FADAA_HOST")
    serve.add_argument("--port", type=int, help="default: FADAA_PORT")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="web processes sharing the port (each one is stateless)",
    )
    serve.add_argument(
        "--no-outbox",
        action="store_true",
        help="queue replies but leave the sending to `fadaa worker` processes",
    )

    _command(
        commands,
        "migrate",
        _migrate,
        "upgrade the database schema to the newest revision (safe to run concurrently)",
    )
    backup = _command(
        commands,
        "backup",
        _backup,
        "copy the SQLite database to FILE while it is in use (PostgreSQL: pg_dump)",
    )
    backup.add_argument("file", type=Path)

    worker = _command(
        commands,
        "worker",
        _worker,
        "deliver the outbox and run the background jobs, without the web service",
    )
    worker.add_argument(
        "--no-outbox",
        action="store_true",
        help="only the background jobs (reminders, campaigns, sweeps)",
    )
    worker.add_argument(
        "--no-reminders",
        action="store_true",
        help="no background jobs (reminders, campaigns, sweeps): only deliver the outbox",
    )
    worker.add_argument(
        "--metrics-port",
        type=int,
        help="serve this worker's counters for Prometheus on FADAA_HOST:PORT",
    )

    admin = commands.add_parser("admin", help="admin API tokens, console accounts").add_subparsers(
        required=True, metavar="ACTION"
    )
    create = admin.add_parser("create-token", help="create a token (printed once)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True)
    create.set_defaults(run=_create_token)
    admin.add_parser("list-tokens", help="list tokens").set_defaults(run=_list_tokens)
    revoke = admin.add_parser("revoke-token", help="revoke a token by id")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(run=_revoke_token)
    user = admin.add_parser(
        "create-user", help="a console account (the password is asked, or read from stdin)"
    )
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True, help="the name colleagues see")
    user.add_argument("--role", required=True, choices=ROLES)
    user.set_defaults(run=_create_user)
    admin.add_parser("list-users", help="list console accounts").set_defaults(run=_list_users)
    reset = admin.add_parser(
        "reset-password", help="a new console password; unlocks the account, ends its sessions"
    )
    reset.add_argument("--email", required=True)
    reset.set_defaults(run=_reset_password)
    for verb, disabled in (("disable", True), ("enable", False)):
        switch = admin.add_parser(
            f"{verb}-user",
            help="no console login and its sessions end" if disabled else "allow the login again",
        )
        switch.add_argument("--email", required=True)
        switch.set_defaults(run=_switch_user, disabled=disabled)

    content = commands.add_parser("content", help="content files").add_subparsers(
        required=True, metavar="ACTION"
    )
    export = content.add_parser("export", help="write the live content as YAML files")
    export.add_argument("directory", type=Path)
    export.set_defaults(run=_export_content)
    load = content.add_parser("import", help="load YAML files as one versioned change")
    load.add_argument("directory", type=Path)
    load.add_argument(
        "--dry-run", action="store_true", help="say what would change, change nothing"
    )
    load.set_defaults(run=_import_content)

    _command(
        commands,
        "set-webhook",
        _set_webhook,
        "register the Telegram webhook (FADAA_PUBLIC_URL) with its secret",
    )
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    run: Callable[[argparse.Namespace], int],
    summary: str,
) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=summary, description=summary)
    sub.set_defaults(run=run)
    return sub


def _chat(args: argparse.Namespace) -> int:
    from bot.channels.service import running_services
    from bot.channels.terminal import TerminalChat

    settings = load_settings()
    interactive = sys.stdin.isatty()
    visual = args.rtl == "visual" or (args.rtl == "auto" and sys.stdout.isatty())

    async def converse() -> None:
        # background jobs (reminders, sweeps) only for a person at the terminal
        async with running_services(
            settings, channels=False, deliver=False, remind=interactive
        ) as services:
            chat = TerminalChat(
                services.engine, args.user, visual_rtl=visual, echo_input=not interactive
            )
            if services.scheduler:
                services.scheduler.after_dispatch = chat.flush_soon
            if interactive:
                print("Fadaa — write a message (Ctrl-D to leave).")
            await chat.run(follow=interactive)

    asyncio.run(converse())
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.logs import uvicorn_log_config
    from api.main import create_app

    if args.no_outbox:  # the environment carries it to every web process uvicorn starts
        os.environ["FADAA_WEB_SENDS"] = "false"
    settings = load_settings()
    where: dict[str, Any] = {
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_config": uvicorn_log_config(settings.log_format),
        "access_log": settings.access_log,
    }
    if args.workers <= 1:
        uvicorn.run(create_app(settings), **where)
        return 0
    # uvicorn starts each web process from the import string; they share nothing but the
    # database and, for their counters, one multiprocess metrics folder
    created = _share_metrics_between_processes()
    try:
        uvicorn.run("api.main:app_from_environment", factory=True, workers=args.workers, **where)
    finally:
        if created:
            shutil.rmtree(created, ignore_errors=True)
    return 0


def _share_metrics_between_processes() -> Path | None:
    """prometheus_client's multiprocess mode: each web process writes its counters to files
    in one folder, and a scrape of any of them sums the folder. Files of an earlier run
    would be counted again, so the folder starts empty. Returns the folder when it was
    created here (removed when the service stops)."""
    import tempfile

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    created = None
    if not folder:
        folder = tempfile.mkdtemp(prefix="fadaa-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # inherited by the web processes
        created = Path(folder)
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()
    return created


def _migrate(_args: argparse.Namespace) -> int:
    from bot.store.database import Database

    settings = load_settings()

    async def run() -> None:
        db = Database(settings.resolved_database_url)
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(run())
    print("the database schema is at the newest revision")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from bot.store.backup import backup_sqlite

    settings = load_settings()
    pages = backup_sqlite(settings.resolved_database_url, args.file)
    print(f"backed up {pages} pages to {args.file}")
    return 0


def _worker(args: argparse.Namespace) -> int:
    from bot.channels.service import running_services

    settings = load_settings()
    if args.metrics_port:
        from bot.metrics import serve_counters

        serve_counters(settings.host, args.metrics_port)

    async def work() -> None:
        stop = _stop_on_signals()
        async with running_services(
            settings,
            deliver=not args.no_outbox,
            remind=not args.no_reminders,
            poll_seconds=settings.worker_poll_seconds,  # no web process pokes it
        ):
            # supervisors and tests wait for this line to know the worker is up
            print("fadaa worker: ready", file=sys.stderr, flush=True)
            await stop.wait()

    asyncio.run(work())
    return 0


def _stop_on_signals() -> asyncio.Event:
    """Set on SIGTERM (`docker stop`, systemd) or SIGINT: the worker then finishes the sends
    in flight and marks them. Both are handled here because a process started in the
    background by a shell inherits SIGINT ignored, and Python's default for SIGTERM is to
    die at once, leaving claimed rows to wait for their lease."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


def _in_database(work: Callable[..., Any]) -> Any:
    """Run `work(session)` in one transaction on the configured database."""
    from bot.store.database import Database

    settings = load_settings()

    async def run() -> Any:
        db = Database(settings.resolved_database_url)
        try:
            await db.migrate()
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _create_token(args: argparse.Namespace) -> int:
    from bot import admin_tokens

    row, token = _in_database(
        lambda session: admin_tokens.create(session, name=args.name, role=args.role)
    )
    print(f"token {row.id} ({row.role}) for {row.name} — shown once, keep it safe:\n{token}")
    return 0


def _list_tokens(_args: argparse.Namespace) -> int:
    from bot import admin_tokens

    for row in _in_database(admin_tokens.listing):
        state = "revoked" if row.revoked_at else "active"
        print(f"{row.id}\t{row.role}\t{state}\t{row.name}")
    return 0


def _revoke_token(args: argparse.Namespace) -> int:
    from bot import admin_tokens

    done = _in_database(
        lambda session: admin_tokens.revoke(session, token_id=args.token_id, actor="cli")
    )
    print("revoked" if done else f"no active token {args.token_id}")
    return 0 if done else 1


def _create_user(args: argparse.Namespace) -> int:
    from bot import staff

    password = _new_password()
    account = _staff_change(
        lambda session: staff.create(
            session, email=args.email, name=args.name, role=args.role, password=password
        )
    )
    if account is None:
        return 2
    print(f"console account {account.id} ({account.role}) for {account.email}")
    return 0


def _list_users(_args: argparse.Namespace) -> int:
    from bot import staff
    from bot.clock import utcnow

    for row in _in_database(staff.listing):
        locked = row.locked_until is not None and row.locked_until > utcnow()
        state = "disabled" if row.disabled_at else "locked" if locked else "active"
        print(f"{row.id}\t{row.role}\t{state}\t{row.email}\t{row.name}")
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    from bot import staff

    password = _new_password()
    account = _staff_change(
        lambda session: staff.reset_password(session, email=args.email, password=password)
    )
    if account is None:
        return 2
    print(f"new password set for {account.email}; its sessions are closed")
    return 0


def _switch_user(args: argparse.Namespace) -> int:
    from bot import staff

    account = _staff_change(
        lambda session: staff.set_disabled(session, email=args.email, disabled=args.disabled)
    )
    if account is None:
        return 2
    print(f"{account.email} is {'disabled' if args.disabled else 'enabled'}")
    return 0


def _new_password() -> str:
    """Asked twice on a terminal; the first line of stdin otherwise (for scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    from getpass import getpass

    first, second = getpass("password: "), getpass("again: ")
    if first != second:
        raise SettingsError("the two passwords differ")
    return first


def _staff_change(change: Callable[[Any], Any]) -> Any:
    from bot.staff import StaffError

    try:
        return _in_database(change)
    except StaffError as error:
        print(f"fadaa: {error}", file=sys.stderr)
        return None


def _export_content(args: argparse.Namespace) -> int:
    from bot.content import editing

    async def work(session: Any) -> list[Path]:
        await editing.seed_if_empty(session)
        return await editing.export_files(session, args.directory)

    for path in _in_database(work):
        print(path)
    return 0


def _import_content(args: argparse.Namespace) -> int:
    from bot.content import editing

    changed = _in_database(
        lambda session: editing.import_files(
            session, args.directory, actor="cli", apply=not args.dry_run
        )
    )
    print(f"{changed} item(s) {'would change' if args.dry_run else 'changed'}")
    return 0


def _set_webhook(_args: argparse.Namespace) -> int:
    from bot.channels.telegram import register_webhook

    settings = load_settings()
    url = asyncio.run(register_webhook(settings))
    print(f"Telegram webhook set to {url}")
    return 0


def _classify(args: argparse.Namespace) -> int:
    from bot.nlu import understand

    result = understand(args.text)
    print(
        json.dumps(
            {
                "intent": result.intent,
                "confidence": result.confidence,
                "top3": [{"intent": i, "confidence": p} for i, p in result.top],
                "language": result.language,
                "script": result.script,
            },
            ensure_ascii=False,
        )
    )
    return 0


def _nlu_eval(args: argparse.Namespace) -> int:
    from bot.nlu.evaluation import evaluate, report

    print(report(evaluate(args.file, exclude_from_training=args.exclude_from_training)))
    return 0


def _nlu_langid(args: argparse.Namespace) -> int:
    from bot.nlu.evaluation import evaluate_language, language_report

    for path in args.files:
        print(f"{path}\n{language_report(evaluate_language(path))}")
    return 0


def _nlu_doda(args: argparse.Namespace) -> int:
    from bot.nlu import doda

    lexicon, check = doda.build(args.git_dir)
    print(
        f"{len(lexicon)} lexicon words -> {doda.LEXICON_PATH}\n"
        f"{len(check)} check rows -> {doda.CHECK_PATH}"
    )
    return 0


def _nlu_train(args: argparse.Namespace) -> int:
    from bot.nlu.model import MODEL_PATH
    from bot.nlu.review import REVIEWED_FILE, take_accepted
    from bot.nlu.train import load_examples, train

    if not args.skip_review:
        taken = _in_database(take_accepted)
        print(f"{taken} accepted phrase(s) added to {REVIEWED_FILE}")
    examples = load_examples()
    model = train(examples)
    model.save()
    print(f"trained on {len(examples)} phrases, {len(model.vocabulary)} features -> {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
