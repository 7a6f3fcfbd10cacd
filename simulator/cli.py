"""`sms-simulator serve`, `check`, `run`, `report` and `diff`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from aiohttp import web

from simulator.app import create_app
from simulator.config import SimulatorConfig
from simulator.report import command as report_command
from simulator.runner import command as runner_command
from simulator.scenario import ScenarioError, load_plan
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID
from telecom.wire import API_VERSION

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sms-simulator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the Twilio-compatible carrier")
    serve.add_argument("--scenario", type=Path, help="scenario YAML (default: built-in)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--account-sid", help=f"account sid (default: {DEFAULT_ACCOUNT_SID})")
    serve.add_argument("--auth-token", help="auth token of that account")
    serve.add_argument("--access-log", action="store_true", help="log every HTTP request")
    check = commands.add_parser(
        "check", help="validate scenario files as `run` does, without running them"
    )
    check.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="scenario files, or folders of *.yaml"
    )
    run = commands.add_parser("run", help="run scenarios through the gateway and judge them")
    runner_command.add_arguments(run)
    report = commands.add_parser("report", help="render a run's JSON as the HTML report")
    report_command.add_report_arguments(report)
    diff = commands.add_parser("diff", help="compare two runs' JSON; exit 1 if worse")
    report_command.add_diff_arguments(diff)
    return parser


def _check(paths: list[Path]) -> int:
    """What `run` validates before it plays anything (the carrier's scenario, the traffic and
    the expectations, checked together), so a CI job can lint what it will run."""
    files = runner_command.scenario_files(paths)
    if not files:
        print("sms-simulator check: no scenario files found", file=sys.stderr)
        return 2
    failed = 0
    for path in files:
        try:
            plan = load_plan(path)
        except ScenarioError as exc:
            failed += 1
            print(exc, file=sys.stderr)
        except OSError as exc:
            failed += 1
            print(f"{path}: {exc.strerror}", file=sys.stderr)
        else:
            scenario = plan.scenario
            print(
                f"{path}: ok ({scenario.name}, seed {scenario.seed}, "
                f"{len(plan.traffic)} traffic step(s))"
            )
    return 1 if failed else 0


def _serve(config: SimulatorConfig, access_log_on: bool = False) -> int:
    try:
        scenario = config.scenario()
    except (ScenarioError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(scenario)
    name = scenario.name if scenario else "default (Twilio test numbers)"
    account = scenario.accounts[0].sid if scenario else DEFAULT_ACCOUNT_SID
    print(
        f"sms-simulator: scenario {name}, account {account}\n"
        f"sms-simulator: listening on http://{config.host}:{config.port} "
        f"(Twilio API under /{API_VERSION}/, control under /_sim/)",
        flush=True,
    )
    # one log line per request costs more than the request itself at load: opt in
    access_log = logging.getLogger("aiohttp.access") if access_log_on else None
    web.run_app(app, host=config.host, port=config.port, print=None, access_log=access_log)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args.paths)
    if args.command == "run":
        return runner_command.main(args)
    if args.command == "report":
        return report_command.report_main(args)
    if args.command == "diff":
        return report_command.diff_main(args)
    return _serve(
        SimulatorConfig(
            host=args.host,
            port=args.port,
            scenario_path=args.scenario,
            account_sid=args.account_sid,
            auth_token=args.auth_token,
        ),
        access_log_on=args.access_log,
    )


if __name__ == "__main__":
    sys.exit(main())
