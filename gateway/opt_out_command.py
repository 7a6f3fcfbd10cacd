"""`sms-gateway opt-out list | clear | history`: the operator's view of the suppression list.

Recipients put themselves on an organization's list (STOP) and take themselves off (START);
an operator may only look, and clear one entry when a recipient asks through another channel.
Each clearing is recorded (table `suppression_clearings`: who, why, when, and the entry it
ended), next to the recipient's own opt-ins; `history` prints them.
"""

from __future__ import annotations

import argparse
import getpass

from gateway.core import dates
from gateway.core.models import Suppression
from gateway.store import open_store
from telecom import InvalidNumber, parse_e164

__all__ = ["add_parser", "run"]


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser], db_help: str) -> None:
    parser = commands.add_parser("opt-out", help="list, clear or show the history of opt-outs")
    actions = parser.add_subparsers(dest="action", required=True)
    for name, helped in (
        ("list", "the organization's suppressed phones"),
        ("clear", "take one phone off the list (recorded)"),
        ("history", "the clearings so far, the recipients' opt-ins included"),
    ):
        action = actions.add_parser(name, help=helped)
        action.add_argument("--db", metavar="PATH|URL", required=True, help=db_help)
        action.add_argument("--org", required=True, help="the organization id")
        action.add_argument("--phone", required=name == "clear", help="the recipient's phone")
        if name == "clear":
            action.add_argument("--why", required=True, help="the reason, kept with the record")
            action.add_argument(
                "--by", default=getpass.getuser(), help="who clears it (default: the login name)"
            )


def _line(s: Suppression) -> str:
    return f"{s.phone}  {s.keyword}  to {s.local_phone or '-'}  since {s.date_created}"


async def run(args: argparse.Namespace) -> tuple[int, list[str]]:
    """The exit status and the lines to print (errors start with the option at fault)."""
    try:
        phone = parse_e164(args.phone) if args.phone else None
    except InvalidNumber:
        return 2, [f"--phone: {args.phone!r} is not a phone number in E.164 (+14155550100)"]
    if args.action == "clear" and not args.why.strip():
        return 2, ["--why: say why the opt-out is cleared"]
    store = await open_store(args.db)
    try:
        if args.action == "list":
            return 0, [_line(s) for s in await store.list_suppressions(args.org, phone)]
        if args.action == "history":
            return 0, [
                f"{c.date_cleared}  {c.suppression.phone}  cleared by {c.cleared_by}:"
                f" {c.why}  (was {_line(c.suppression)})"
                for c in await store.list_suppression_clearings(args.org, phone)
            ]
        assert phone is not None  # --phone is required for clear
        cleared = await store.clear_suppression(
            args.org, phone, args.by, args.why.strip(), dates.iso(dates.now())
        )
    finally:
        await store.close()
    if cleared is None:
        return 1, [f"{phone} is not on the suppression list of {args.org}"]
    return 0, [f"cleared {_line(cleared)}"]
