"""How many SMS segments a text takes, as Twilio's segment calculator counts them.

GSM-7 when every character is in the GSM 03.38 basic or extension table, else UCS-2 for the
whole message. One segment holds 160 septets / 70 UTF-16 units; concatenated segments lose a
6-octet header and hold 153 / 67. A character is never split across two segments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Encoding", "Segmentation", "segment"]

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")


class Encoding(enum.StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class Segmentation:
    encoding: Encoding
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def _gsm_cost(char: str) -> int | None:
    if char in _GSM_BASIC:
        return 1
    if char in _GSM_EXTENSION:
        return 2
    return None


def _pack(costs: list[int], single: int, multi: int) -> int:
    """Segments needed for characters of the given unit costs, none split across two."""
    if sum(costs) <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return segments


def segment(text: str) -> Segmentation:
    """Encoding, segment count and unit count of `text` (an empty text is one segment)."""
    gsm = [_gsm_cost(c) for c in text]
    if all(cost is not None for cost in gsm):
        costs = [c for c in gsm if c is not None]
        return Segmentation(Encoding.GSM7, _pack(costs, 160, 153), sum(costs))
    costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return Segmentation(Encoding.UCS2, _pack(costs, 70, 67), sum(costs))
