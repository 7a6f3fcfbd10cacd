"""`sms-gateway serve | migrate | create-org | opt-out`: the daemon's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys

import asyncpg
from aiohttp import web

from gateway import opt_out_command
from gateway.app import create_app
from gateway.config import Config, ConfigError, load_config
from gateway.edge.auth import create_organization
from gateway.logs import AccessLog, configure_logging
from gateway.signals import refusing_window, sighup_reload, sigterm_refuse_then_exit
from gateway.store import open_store
from gateway.store.sqlite_owner import DatabaseInUse

__all__ = ["main"]

_DB_HELP = "a SQLite file, or a postgresql://user@host:port/database URL"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sms-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", help="YAML config file")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--ops-port",
        type=int,
        metavar="PORT",
        help="the ops listener's port (/readyz, /metrics); 0: any free one",
    )
    serve.add_argument("--db", metavar="PATH|URL", help=_DB_HELP)
    serve.add_argument("--carrier-url")
    serve.add_argument("--carrier-account-sid", metavar="SID")
    serve.add_argument("--carrier-auth-token", metavar="TOKEN")
    serve.add_argument("--public-url", metavar="URL", help="the URL the carrier calls back")
    serve.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (logging.level)")
    migrate = commands.add_parser("migrate", help="create or upgrade the database")
    migrate.add_argument("--db", metavar="PATH|URL", required=True, help=_DB_HELP)
    org = commands.add_parser("create-org", help="create an organization and print its API key")
    org.add_argument("name")
    org.add_argument("--db", metavar="PATH|URL", required=True, help=_DB_HELP)
    opt_out_command.add_parser(commands, _DB_HELP)
    return parser


def _serve_config(args: argparse.Namespace) -> Config:
    config = load_config(args.config) if args.config else Config()
    config = config.replace(
        host=args.host,
        port=args.port,
        ops_port=args.ops_port,
        carrier_url=args.carrier_url,
        carrier_account_sid=args.carrier_account_sid,
        carrier_auth_token=args.carrier_auth_token,
        public_url=args.public_url.rstrip("/") if args.public_url else None,
        log_level=args.log_level.upper() if args.log_level else None,
    )
    if args.db:
        config = config.with_database(args.db)
    if not config.carrier_auth_token:
        raise ConfigError("carrier.auth_token: required (or --carrier-auth-token)")
    return config


async def _migrate(location: str) -> None:
    store = await open_store(location)
    await store.close()


async def _create_org(location: str, name: str) -> str:
    store = await open_store(location)
    try:
        org, key = await create_organization(store, name)
    finally:
        await store.close()
    print(f"organization {org.id} ({name})")
    return key


def _shown(location: str) -> str:
    """The location without a password, if the URL has one."""
    scheme, sep, rest = location.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if sep and at and ":" in userinfo:
        return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"
    return location


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("migrate", "create-org", "opt-out"):
        try:
            if args.command == "opt-out":
                status, lines = asyncio.run(opt_out_command.run(args))
                for line in lines:
                    print(line, file=sys.stderr if status else sys.stdout)
                return status
            if args.command == "migrate":
                asyncio.run(_migrate(args.db))
                print(f"database {_shown(args.db)} is up to date")
            else:
                print(asyncio.run(_create_org(args.db, args.name)))  # the key: the last line
        except (OSError, asyncpg.PostgresError, sqlite3.Error) as exc:
            # unreachable server, unknown database or user, unwritable file: one line
            print(f"sms-gateway: --db {_shown(args.db)}: {exc}", file=sys.stderr)
            return 2
    else:
        try:
            config = _serve_config(args)
        except ConfigError as exc:
            print(f"sms-gateway: {exc}", file=sys.stderr)
            return 2
        configure_logging(config.log_level, config.log_format)
        app = create_app(config)
        app.cleanup_ctx.append(sigterm_refuse_then_exit(refusing_window(config.grace_period)))
        if args.config:
            app.cleanup_ctx.append(sighup_reload(args.config))
        # SIGTERM: 503s for a moment, stop listening, give requests up to half the grace
        # period, then the dispatcher drains in what is left (gateway.app); exit 0
        try:
            web.run_app(
                app,
                host=config.host,
                port=config.port,
                shutdown_timeout=config.grace_period / 2,
                access_log_class=AccessLog,
                print=lambda text: logging.getLogger("gateway").info(text.strip()),
            )
        except DatabaseInUse as exc:
            print(f"sms-gateway: {exc}", file=sys.stderr)
            return 2
        logging.getLogger("gateway").info("stopped")
    return 0
