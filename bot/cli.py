"""The `masar` command: thin argument parsing; the work is done by the modules it calls."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def _quiet_logging(verbose: bool = False) -> None:
    from .logs import configure

    configure(verbose)


def _masar(settings, in_memory: bool = False):
    """The engine with its layers (bot/masar.py): the same path for every command."""
    from .engine import Engine
    from .masar import compose

    # Rasa prints training progress on stdout; keep stdout for answers.
    with contextlib.redirect_stdout(sys.stderr):
        return compose(Engine.load(settings, in_memory=in_memory), settings)


def cmd_chat(args, settings) -> int:
    from .channels import terminal

    asyncio.run(terminal.run(_masar(settings)))
    return 0


def cmd_ask(args, settings) -> int:
    from .channels import jsonl

    masar = _masar(settings, in_memory=True)
    # a line with bytes that are not UTF-8 is reported and skipped, not the end of the run
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")
    bad = asyncio.run(jsonl.run(masar))
    return 1 if bad and args.strict else 0


def _run_server(name: str, settings, run) -> int:
    """Run a long-lived channel; Telegram and network failures become one clear line."""
    from telegram.error import InvalidToken, TelegramError

    from .channels.telegram import TelegramUnreachable
    from .privacy import hide_secret, scrub

    hide_secret(settings.telegram_token)
    hide_secret(settings.telegram_webhook_secret)
    masar = _masar(settings)
    try:
        asyncio.run(run(masar, settings))
    except InvalidToken:
        print(
            f"{name}: Telegram refused MASAR_TELEGRAM_TOKEN; copy the token again from @BotFather",
            file=sys.stderr,
        )
        return 1
    except TelegramUnreachable as exc:
        print(f"{name}: {scrub(str(exc))}", file=sys.stderr)
        return 1
    except (TelegramError, OSError) as exc:
        api = settings.telegram_api_url.replace(settings.telegram_token or "\0", "[token]")
        print(f"{name}: {scrub(str(exc)) or type(exc).__name__} (Bot API: {api})", file=sys.stderr)
        return 1
    return 0


def cmd_telegram(args, settings) -> int:
    if not settings.telegram_token:
        print(
            "masar telegram: set MASAR_TELEGRAM_TOKEN to the token @BotFather gave you",
            file=sys.stderr,
        )
        return 2
    from .channels import telegram

    logging.getLogger("bot").setLevel(logging.INFO)
    return _run_server("masar telegram", settings, telegram.run_polling)


def cmd_serve(args, settings) -> int:
    from .channels import http, meta

    http.check_settings(settings)  # before the engine loads: a wrong setting fails at once
    meta.check_settings(settings)
    http.configure_json_logs(verbose=True)
    return _run_server("masar serve", settings, http.serve)


def cmd_console(args, settings) -> int:
    from .console import users

    return users.main(args.action, args.name, args.password_stdin, settings.data_dir)


def cmd_train(args, settings) -> int:
    from .build import BuildError, train_model
    from .content.loader import load

    content, problems = load(settings.content_dir)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        print(
            f"masar train: content has {len(errors)} errors (run `masar content check`); training on what loaded",
            file=sys.stderr,
        )
    try:
        with contextlib.redirect_stdout(sys.stderr):
            result = train_model(settings, content, force=args.force)
    except BuildError as exc:
        print(f"masar train: {exc}", file=sys.stderr)
        return 1
    state = (
        f"trained in {result.seconds:.1f} s"
        if result.trained
        else "up to date (content and config unchanged)"
    )
    print(f"model {result.model.name}: {state}")
    return 0


def cmd_content(args, settings) -> int:
    from .content import check

    if args.action == "check":
        return check.main(settings.content_dir, strict=args.strict, warn_days=args.warn_days)
    from .content import report

    return report.main(settings.content_dir, html=args.html, warn_days=args.warn_days)


def cmd_test(args, settings) -> int:
    from .evaluation import command

    return command.main(
        lambda: _masar(settings, in_memory=True),
        args.dir,
        args.language,
        args.conversation,
        args.report,
        args.junit,
    )


def cmd_locales(args, settings) -> int:
    from . import catalogs

    return catalogs.main(args.action)


def cmd_bench(args, settings) -> int:
    if args.what == "cost":
        from .benchmarks import cost

        return cost.main(args, settings)
    if args.what == "load":
        from .benchmarks import load

        return load.main(args, settings)
    if args.what == "serve":
        from .benchmarks import serve

        return serve.main(args, settings)
    if args.what == "latency":
        from .benchmarks import latency

        return latency.main(args)
    from .benchmarks import nlu

    return nlu.main(args, settings.content_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="masar", description="Masar: safety information for people on the move."
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="more log output (never message text)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chat", help="talk to the bot in the terminal").set_defaults(func=cmd_chat)
    ask = sub.add_parser("ask", help="JSON lines on stdin -> JSON lines on stdout")
    ask.add_argument("--strict", action="store_true", help="exit 1 if any input line was invalid")
    ask.set_defaults(func=cmd_ask)
    train = sub.add_parser("train", help="build and train from content/ and config.yml")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    train.set_defaults(func=cmd_train)
    content = sub.add_parser("content", help="check content or report on it")
    content.add_argument("action", choices=["check", "report"])
    content.add_argument("--strict", action="store_true", help="check: fail on warnings too")
    content.add_argument("--html", metavar="FILE", help="report: also write an HTML report")
    content.add_argument(
        "--warn-days",
        type=int,
        default=60,
        metavar="N",
        help="check and report: warn N days before a dated fact's day (default 60)",
    )
    content.set_defaults(func=cmd_content)
    test = sub.add_parser("test", help="run the conversation tests in every language")
    test.add_argument(
        "--language", action="append", metavar="CODE", help="only this language (repeatable)"
    )
    test.add_argument(
        "--conversation",
        action="append",
        metavar="NAME",
        help="only this conversation (repeatable)",
    )
    test.add_argument(
        "--dir", metavar="DIR", help="folder of conversation files (default: tests/conversations)"
    )
    test.add_argument("--report", metavar="FILE", help="also write an HTML report")
    test.add_argument("--junit", metavar="FILE", help="also write JUnit XML for CI systems")
    test.set_defaults(func=cmd_test)
    sub.add_parser(
        "telegram", help="answer on Telegram by long polling (needs MASAR_TELEGRAM_TOKEN)"
    ).set_defaults(func=cmd_telegram)
    sub.add_parser(
        "serve",
        help="HTTP server: Telegram, WhatsApp and Messenger webhooks, REST channel, /health",
    ).set_defaults(func=cmd_serve)
    console = sub.add_parser("console", help="staff accounts of the web console (/console)")
    console.add_argument("action", choices=["add-user", "remove-user", "list-users"])
    console.add_argument("name", nargs="?", help="the staff member's login name")
    console.add_argument(
        "--password-stdin", action="store_true", help="add-user: read the password from stdin"
    )
    console.set_defaults(func=cmd_console)
    locales = sub.add_parser(
        "locales", help="interface translations: check them, or update them from the code"
    )
    locales.add_argument("action", choices=["check", "update"])
    locales.set_defaults(func=cmd_locales)
    bench = sub.add_parser("bench", help="benchmarks: nlu, latency, cost, load, serve")
    kinds = bench.add_subparsers(dest="what", required=True)
    from .benchmarks import cost, latency, load, nlu, serve

    nlu.add_arguments(
        kinds.add_parser(
            "nlu", help="Masar's pipeline against Rasa's default, on content and SIB-200"
        )
    )
    latency.add_arguments(
        kinds.add_parser(
            "latency", help="is the NLU slower than before? two checkouts side by side"
        )
    )
    cost.add_arguments(
        kinds.add_parser("cost", help="cost per message and stage for the worst inputs known")
    )
    load.add_arguments(
        kinds.add_parser(
            "load", help="concurrent users on a real `masar serve`, with hostile messages"
        )
    )
    serve.add_arguments(
        kinds.add_parser("serve", help="masar serve against stock `rasa run`, side by side")
    )
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .settings import load

    args = build_parser().parse_args(argv)
    _quiet_logging(args.verbose)
    try:
        return args.func(args, load())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
