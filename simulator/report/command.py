"""`sms-simulator report RUN.json --html FILE` and `sms-simulator diff BEFORE.json AFTER.json`:
the shell around html.py and diff.py (read the JSON, write the files, the exit code)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from simulator.report.diff import Tolerance, compare, to_html, to_text
from simulator.report.html import render

__all__ = ["add_diff_arguments", "add_report_arguments", "diff_main", "report_main", "write_html"]


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", type=Path, metavar="RUN.json", help="a run's --json output")
    parser.add_argument(
        "--html", type=Path, metavar="FILE", required=True, help="write the HTML report here"
    )


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", type=Path, metavar="BEFORE.json")
    parser.add_argument("after", type=Path, metavar="AFTER.json")
    parser.add_argument(
        "--tolerance",
        action="append",
        default=[],
        metavar="[PATTERN=]N[%]",
        help="let figures matching PATTERN (fnmatch, e.g. 'count.*' or "
        "'latency.total.*') move by N, or N %% (repeatable; default: "
        "exact, latencies 50%%)",
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the diff as HTML too")


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(f"sms-simulator: {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SystemExit(f"sms-simulator: {path}: not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        raise SystemExit(f"sms-simulator: {path}: not a run's JSON (no scenarios)")
    return document


def write_html(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(document), encoding="utf-8")


def report_main(args: argparse.Namespace) -> int:
    write_html(_read(args.run), args.html)
    print(f"HTML report: {args.html}")
    return 0


def diff_main(args: argparse.Namespace) -> int:
    try:
        tolerances = [Tolerance.parse(text) for text in args.tolerance]
    except ValueError as exc:
        print(f"sms-simulator diff: {exc}", file=sys.stderr)
        return 2
    changes = compare(_read(args.before), _read(args.after), tolerances)
    print(to_text(changes))
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(to_html(changes, str(args.before), str(args.after)), encoding="utf-8")
        print(f"HTML diff: {args.html}")
    return 1 if any(c.regression for c in changes) else 0
