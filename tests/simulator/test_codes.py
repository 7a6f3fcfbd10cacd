"""Every carrier code the simulator can answer is in telecom's catalogue, with a reason and
words of its own: a gateway user never reads "unknown error" for a code we know."""

from __future__ import annotations

import ast
from pathlib import Path

from simulator.engine.magic import MAGIC_FROM, MAGIC_TO, PURCHASE_AREA_CODES, PURCHASE_NUMBERS
from telecom.errors import CATALOGUE, Reason, error_message, lookup, reason_message

SIMULATOR = Path(__file__).resolve().parents[2] / "simulator"
TRULY_UNKNOWN = {30008}  # Twilio's own "Unknown error"
# the scenario runner and its report answer no carrier request (their numbers are seconds)
_NOT_THE_CARRIER = frozenset({"runner", "report"})


def _is_code(value: int) -> bool:
    return 20000 <= value < 22000 or 30000 <= value < 31000 or 35000 <= value < 36000


def _codes_in_source() -> dict[int, set[str]]:
    """Every integer literal shaped like a Twilio code in the simulator's source: TwilioError's
    arguments, the magic tables, handset and expiry codes, the spam filters' default."""
    found: dict[int, set[str]] = {}
    for path in SIMULATOR.rglob("*.py"):
        if path.parent.name in _NOT_THE_CARRIER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and type(node.value) is int and _is_code(node.value):
                found.setdefault(node.value, set()).add(path.name)
    return found


def test_the_scan_sees_the_codes_it_must() -> None:
    found = _codes_in_source()
    magic = {
        *MAGIC_FROM.values(),
        *MAGIC_TO.values(),
        *(c for c in PURCHASE_NUMBERS.values() if c is not None),
        *(c for c in PURCHASE_AREA_CODES.values() if isinstance(c, int)),
    }
    assert magic <= set(found)
    assert {21266, 21606, 30003, 30005, 30006, 30007, 30036, 20503} <= set(found)


def test_every_code_the_simulator_answers_has_a_reason_and_its_own_words() -> None:
    unknown = reason_message(Reason.UNKNOWN)
    for code, files in sorted(_codes_in_source().items()):
        entry = lookup(code)
        assert entry is not None, f"{code} (in {', '.join(sorted(files))}) is not in CATALOGUE"
        assert error_message(code), code
        if code not in TRULY_UNKNOWN:
            assert error_message(code) != unknown, f"{code} ({entry.title}) reads 'unknown'"


def test_every_code_a_scenario_may_draw_says_something() -> None:
    """Failures and spam filters take any callback code of the catalogue."""
    unknown = reason_message(Reason.UNKNOWN)
    for code, entry in CATALOGUE.items():
        if not entry.at_create and code not in TRULY_UNKNOWN:
            assert error_message(code) != unknown, code
            assert entry.final_status in ("failed", "undelivered"), code
