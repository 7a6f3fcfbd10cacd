"""`sms-simulator run PATH...`: run scenarios, print the report, write JUnit XML, JSON and the
HTML report; exit 0 only when every check of every scenario passes."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from simulator.report.command import write_html
from simulator.runner.outcome import Check, ScenarioResult
from simulator.runner.progress import Progress
from simulator.runner.report import to_json, to_junit, to_text
from simulator.runner.run import Target, run_plan
from simulator.scenario import ScenarioError
from simulator.scenario.read_plan import load_plan

__all__ = ["add_arguments", "main", "scenario_files"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="scenario files, or folders of *.yaml"
    )
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report here")
    parser.add_argument(
        "--html", type=Path, metavar="FILE", help="write the HTML deliverability report here"
    )
    parser.add_argument("--gateway-url", help="drive this gateway instead of starting one")
    parser.add_argument("--simulator-url", help="drive this simulator instead of starting one")
    parser.add_argument("--api-key", help="the gateway API key of an empty organization")


def scenario_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files


def _target(args: argparse.Namespace) -> Target | None:
    given = [args.gateway_url, args.simulator_url, args.api_key]
    if not any(given):
        return None
    if not all(given):
        raise SystemExit(
            "sms-simulator run: --gateway-url, --simulator-url and --api-key go together"
        )
    return Target(args.gateway_url, args.simulator_url, args.api_key)


def _unloadable(path: Path, why: str, problems: tuple[str, ...] = ()) -> ScenarioResult:
    check = Check("load", "a valid scenario", why, False, "invariant", problems)
    return ScenarioResult(path.stem, str(path), (check,), 0)


async def run_files(
    files: list[Path], target: Target | None, progress: Progress | None = None
) -> list[ScenarioResult]:
    progress = progress or Progress(sys.stderr, len(files))
    results = []
    for k, path in enumerate(files, 1):
        try:
            plan = load_plan(path)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            results.append(
                _unloadable(
                    path,
                    f"{len(exc.problems)} problem(s) in the file",
                    tuple(str(p) for p in exc.problems),
                )
            )
            continue
        except OSError as exc:
            results.append(_unloadable(path, f"cannot read: {exc.strerror}"))
            continue
        progress.scenario(k, plan.scenario.name, str(path))
        results.append(await run_plan(plan, target, progress, progress_every=progress.every))
        progress.done()
    return results


def main(args: argparse.Namespace) -> int:
    target = _target(args)
    files = scenario_files(args.paths)
    if not files:
        print("sms-simulator run: no scenario files found", file=sys.stderr)
        return 2
    results = asyncio.run(run_files(files, target))
    print(to_text(results))
    for path in (args.junit, args.json):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
    if args.junit:
        args.junit.write_text(to_junit(results), encoding="utf-8")
    if args.json:
        args.json.write_text(to_json(results), encoding="utf-8")
    if args.html:
        write_html(json.loads(to_json(results)), args.html)
        print(f"HTML report: {args.html}")  # last: where to look
    return 0 if results and all(r.passed for r in results) else 1
