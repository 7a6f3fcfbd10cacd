"""The recipient's keywords, as Twilio's default (Advanced) Opt-Out handles them on long codes.

One list for both sides: the simulated carrier keeps its opt-out list and answers HELP with it,
and the gateway keeps its suppression list with it. A message is a keyword only when its whole
trimmed body is one (case-insensitive, inner spaces collapsed, a trailing `.` or `!` ignored):
"STOP" opts out, "please stop" does not. A keyword's value is Twilio's `OptOutType` webhook
parameter.
"""

from __future__ import annotations

import enum

__all__ = [
    "HELP_REPLY",
    "HELP_WORDS",
    "OPT_IN_WORDS",
    "OPT_OUT_WORDS",
    "Keyword",
    "keyword_of",
    "normalized",
    "opt_out_type",
]

OPT_OUT_WORDS = frozenset(
    {
        "STOP",
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPTOUT",
        "OPT OUT",
        "REVOKE",
    }
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO"})

# What Twilio answers HELP/INFO with by default, unless a Messaging Service's Advanced Opt-Out
# says otherwise (the gateway's `sms.help_reply` then says the same).
HELP_REPLY = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."


class Keyword(enum.StrEnum):
    OPT_OUT = "STOP"
    OPT_IN = "START"
    HELP = "HELP"


def normalized(body: str) -> str:
    """The body as keywords are matched: upper case, spaces collapsed, no trailing . or !"""
    return " ".join(body.split()).upper().strip(".!").strip()


def keyword_of(body: str) -> Keyword | None:
    word = normalized(body)
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_WORDS:
        return Keyword.OPT_IN
    if word in HELP_WORDS:
        return Keyword.HELP
    return None


def opt_out_type(value: str | None) -> Keyword | None:
    """The keyword an inbound webhook's `OptOutType` names (STOP, START, HELP), if any."""
    try:
        return Keyword((value or "").strip().upper())
    except ValueError:
        return None
