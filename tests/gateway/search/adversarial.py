"""Random and adversarial query strings, reproducible from a seed: pieces of the language,
SQL fragments, quotes, parentheses, unicode, control characters, very long and very deep."""

from __future__ import annotations

import random

VALID = (
    "failed_sms > 1",
    "has:error_sms_messages",
    "latest_sms_status:error",
    "sms(created:today direction:outgoing status:error)",
    'name:"Bluth Co"',
    'sms(date >= "3 days ago" date < 2026-11-01)',
    "phone:+14155550100",
    "sms(text:hello or not error:landline) sms_messages >= 2",
    "* not has:inbound_sms",
    "sms(error_code=30006 segments>1 remote_phone:4155550100)",
)
PIECES = (
    "name",
    "phone",
    "sms_messages",
    "failed_sms",
    "latest_sms_status",
    "has",
    "sms",
    "sms(",
    "created",
    "date",
    "direction",
    "status",
    "error",
    "error_code",
    "text",
    "local_phone",
    "remote_phone",
    "segments",
    "email",
    "custom.Field",
    "user",
    ":",
    ">",
    "<",
    ">=",
    "<=",
    "=",
    "==",
    "!=",
    "<>",
    "(",
    ")",
    "((",
    "))",
    "*",
    "and",
    "OR",
    "Not",
    "AND NOT",
    "today",
    "yesterday",
    '"3 days ago"',
    '"last week"',
    "2026-11-27",
    "2026-11-27T08:00:00Z",
    "9999-12-31",
    "0001-01-01",
    "error",
    "sent",
    "outgoing",
    "incoming",
    "landline",
    "+14155550100",
    "30006",
    "-1",
    "99999999999999999999",
    "1e9",
    "0x10",
    "1.5",
    '"',
    '\\"',
    "\\",
    "'",
    "''",
    '""',
    "'; DROP TABLE leads; --",
    "1=1",
    "OR 1=1",
    "/*",
    "*/",
    "--",
    "UNION SELECT * FROM api_keys",
    "%",
    "_",
    "?",
    "?1",
    ":org",
    "$1",
    "NULL",
    ";",
    "é",
    "ÉCOLE",
    "日本語",
    "😀",
    "\u202e",
    "\u200b",
    "\u00a0",
    "（",
    "）",
    "：",
    "＂",
    "\x00",
    "\x01",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\ud800",
    "\udfff",
    "\ufeff",
    "ﬃ",
    "İ",
)
SEPARATORS = (" ", "", " ", "  ", "\t", "\n")


def _mutate(rnd: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rnd.randint(1, 5)):
        where = rnd.randint(0, len(chars))
        action = rnd.randrange(3)
        if action == 0 and chars and where < len(chars):
            del chars[where]
        elif action == 1:
            chars.insert(where, rnd.choice(PIECES))
        elif chars and where < len(chars):
            chars[where] = rnd.choice('()":*<>= \\')
    return "".join(chars)


# kinds 4 (deep) and 5 (long) cost milliseconds each: a few hundred of them are plenty
_KINDS = (0, 1, 2, 3, 6, 7, 8) * 5 + (4, 5)


def adversarial(rnd: random.Random) -> str:
    kind = rnd.choice(_KINDS)
    if kind == 0:
        return "".join(
            rnd.choice(PIECES) + rnd.choice(SEPARATORS) for _ in range(rnd.randint(1, 12))
        )
    if kind == 1:
        return "".join(chr(rnd.randint(32, 126)) for _ in range(rnd.randint(0, 60)))
    if kind == 2:
        return "".join(
            chr(rnd.choice([rnd.randint(0, 0x2FF), rnd.randint(0, 0x10FFFF)]))
            for _ in range(rnd.randint(0, 40))
        )
    if kind == 3:
        return _mutate(rnd, rnd.choice(VALID))
    if kind == 4:
        depth = rnd.choice([10, 31, 32, 33, 100, 1000, 3000])
        inner = rnd.choice(VALID)
        return rnd.choice(
            [
                "(" * depth + inner + ")" * depth,
                "(" * depth + inner + ")" * rnd.randint(0, depth),
                "not " * depth + inner,
                "sms(" * depth + "status:error" + ")" * depth,
                " or ".join([inner] * depth),
                "(" * depth,
                # many short clauses: as long a chain of SQL as 4,000 characters allow
                rnd.choice(["* ", "sms(* ", "has:sms_messages ", "*or "])
                * rnd.choice([150, 200, 201, 1000, 1999])
                + ")" * rnd.randint(0, 1),
            ]
        )
    if kind == 5:
        piece = rnd.choice(VALID + PIECES)
        return (piece + " ") * (rnd.randint(3000, 9000) // (len(piece) + 1))
    if kind == 6:
        return "".join(
            rnd.choice(['"', "\\", "a", " ", "(", ")", ":", "name:"])
            for _ in range(rnd.randint(1, 30))
        )
    if kind == 7:
        field = rnd.choice(PIECES[:20])
        value = rnd.choice(PIECES)
        quote = rnd.random() < 0.5
        return f'{field}:"{value}"' if quote else f"{field} {rnd.choice(['>', ':', '<='])} {value}"
    return rnd.choice(VALID)


def corpus(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    return [adversarial(rnd) for _ in range(count)]
