"""Opt-out and opt-in keywords, as Twilio's default Advanced Opt-Out handles them.

A message is a keyword only when its whole trimmed body is one (case-insensitive), as on Twilio.
"""

from __future__ import annotations

import enum

__all__ = ["OPT_IN_WORDS", "OPT_OUT_WORDS", "Keyword", "keyword_of"]

OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT",
     "REVOKE"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})


class Keyword(enum.StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"


def keyword_of(body: str) -> Keyword | None:
    word = " ".join(body.split()).upper().strip(".!")
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_WORDS:
        return Keyword.OPT_IN
    return None
