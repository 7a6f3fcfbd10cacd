"""AST -> one parameterized SQL query, scoped to an organization.

Every value from the query text travels as a bound parameter; the SQL text is assembled only
from this module's constants and the field catalogue, so no query can change the statement's
shape. What differs between databases sits in `Dialect`: SQLite's `?1` placeholders, `instr`,
`rowid` and unary `+` planner hint; PostgreSQL's `$1`, `strpos`, the `seq` column and real
booleans. Dates need nothing per dialect: both stores keep gateway.core.dates.iso() text compared
byte by byte (PostgreSQL's columns are COLLATE "C"), which sorts as time does.

Two-valued logic where it matters: under a `not`, every predicate is true or false, never NULL
(nullable columns are wrapped in coalesce, subqueries exclude NULL lead ids), so `not` means
"does not match" exactly as the Python evaluator reads it. Elsewhere a test of a nullable column
is left bare: a WHERE drops NULL as it drops false, through any and/or, and only a bare
comparison can use an index (coalesce(s.error_reason = ?, 0) scanned every SMS of the week).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from gateway.core.dates import iso
from gateway.search.ast import (
    All,
    And,
    ChoiceIs,
    Contains,
    DateIs,
    Has,
    Node,
    Not,
    NumberIs,
    Op,
    Or,
    PhoneIs,
    SmsMatch,
)
from gateway.search.dates import resolve
from gateway.search.fields import fold

__all__ = ["POSTGRESQL", "SQLITE", "Compiled", "Dialect", "compile_search", "compile_where"]


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    params: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Dialect:
    true: str
    false: str
    contains: str  # {column} holds the folded {param} as a substring
    sequence: str  # a column that orders leads created in the same microsecond
    materialized: str  # how a CTE is forced to be computed once
    unindexed: str  # a column the planner must not pick an index for

    placeholder: str  # numbered, from 1: the text's order of values cannot go wrong
    # the store's shared queries (gateway.store): {} is one bound list, from `list_value`
    in_list: str  # the column on its left is one of the list
    not_in_list: str  # ... none of the list
    list_as_json: bool  # SQLite binds no arrays: the list travels as JSON text
    for_update: str  # the row lock a read-then-write takes (SQLite's one writer needs none)
    local_day: str  # YYYY-MM-DD of the ISO text {column} shifted by {minutes} (a bound int)

    def list_value(self, values: Iterable[str]) -> object:
        """What to bind for an `in_list` or `not_in_list` placeholder."""
        return json.dumps(list(values)) if self.list_as_json else list(values)


SQLITE = Dialect(
    placeholder="?{}",
    true="1",
    false="0",
    contains="instr(lower({column}), {param}) > 0",
    sequence="rowid",
    materialized="MATERIALIZED",
    unindexed="+{}",
    in_list="IN (SELECT value FROM json_each({}))",
    not_in_list="NOT IN (SELECT value FROM json_each({}))",
    list_as_json=True,
    for_update="",
    local_day="substr(datetime({column}, {minutes} || ' minutes'), 1, 10)",
)
# lower() under the "C" collation folds ASCII letters only, as SQLite's does (fields.fold)
POSTGRESQL = Dialect(
    placeholder="${}",
    true="TRUE",
    false="FALSE",
    contains='strpos(lower({column} COLLATE "C"), {param}) > 0',
    sequence="seq",
    materialized="MATERIALIZED",
    unindexed="{}",
    in_list="= ANY({}::text[])",
    not_in_list="<> ALL({}::text[])",
    list_as_json=False,
    for_update=" FOR UPDATE",
    local_day="to_char(({column})::timestamptz AT TIME ZONE 'UTC'"
    " + make_interval(mins => {minutes}), 'YYYY-MM-DD')",
)

_OPS = {Op.EQ: "=", Op.GT: ">", Op.GE: ">=", Op.LT: "<", Op.LE: "<="}

# The field map (the OPTIMADE split): field name -> column, and which columns may be NULL.
_SMS_COLUMNS = {
    "created": "s.date_created",
    "direction": "s.direction",
    "status": "s.status",
    "error": "s.error_reason",
    "error_code": "s.error_code",
    "text": "s.text",
    "local_phone": "s.local_phone",
    "remote_phone": "s.remote_phone",
    "segments": "s.segments",
}
_NULLABLE = frozenset(
    {"s.error_reason", "s.error_code", "s.local_phone", "s.remote_phone", "l.name"}
)
# Lead-level fields are questions about the lead's SMS, answered from the per-lead counts
# that migrations 012 and 013 keep (a row for each lead with some SMS): field -> its column.
_COUNTED = {"sms_messages": "messages", "failed_sms": "failed"}
_HAS = {"sms_messages": "messages", "error_sms_messages": "failed", "inbound_sms": "inbound"}
_LEAD_SMS = "FROM sms AS s WHERE s.organization_id = {org} AND s.lead_id IS NOT NULL"
# compile_search tests this many leads per row up to the page's end, in the page's order,
# before it finds and sorts every match instead: a page is walked if a tenth of the leads
# on the way match
_WALK = 10


def _holds(op: Op, left: int, right: int) -> bool:
    return {
        Op.EQ: left == right,
        Op.GT: left > right,
        Op.GE: left >= right,
        Op.LT: left < right,
        Op.LE: left <= right,
    }[op]


class _Compiler:
    def __init__(
        self,
        dialect: Dialect,
        org_id: str,
        now: datetime,
        tz: tzinfo,
        params: list[object] | None = None,
        correlated: bool = False,
    ) -> None:
        self.dialect, self.org_id, self.now, self.tz = dialect, org_id, now, tz
        self.params = [] if params is None else params
        # `l.id IN (list)` or, correlated, `EXISTS (... = l.id)`: the same answer (no list
        # holds a NULL id), but a walk that stops at its page's end should probe the few
        # leads it reads, not build the whole list first
        self.correlated = correlated

    def bind(self, value: object) -> str:
        self.params.append(value)
        return self.dialect.placeholder.format(len(self.params))

    def _null_safe(self, column: str, test: str, negated: bool) -> str:
        if negated and column in _NULLABLE:
            return f"coalesce({test}, {self.dialect.false})"
        return test

    def _lead_sms(self) -> str:
        return _LEAD_SMS.format(org=self.bind(self.org_id))

    def _in(self, column: str, rest: str, exclude: bool = False) -> str:
        """The lead is (`exclude`: is not) one of `SELECT {column} {rest}`."""
        if self.correlated:
            return f"{'NOT ' if exclude else ''}EXISTS (SELECT 1 {rest} AND {column} = l.id)"
        return f"l.id {'NOT IN' if exclude else 'IN'} (SELECT {column} {rest})"

    def lead(self, node: Node, negated: bool = False) -> str:
        """`negated`: whether a `not` encloses `node` (see the module's docstring)."""
        match node:
            case And(items):
                return "(" + " AND ".join(self.lead(i, negated) for i in items) + ")"
            case Or(items):
                return "(" + " OR ".join(self.lead(i, negated) for i in items) + ")"
            case Not(item):
                return f"(NOT {self.lead(item, True)})"
            case All():
                return self.dialect.true
            case Contains("name", value):
                return self._contains("l.name", value, negated)
            case PhoneIs("phone", phone):
                org = self.bind(self.org_id)
                return self._in(
                    "c.lead_id",
                    "FROM contact_phones AS p JOIN contacts AS c ON c.id = p.contact_id"
                    f" WHERE p.organization_id = {org} AND p.phone = {self.bind(phone)}",
                )
            case NumberIs(field, op, value) if field in _COUNTED:
                return self._count(_COUNTED[field], op, value)
            case ChoiceIs("latest_sms_status", status):
                return self._latest_status(status)
            case Has(what):
                return self._in("c.lead_id", f"{self._counts()} c.{_HAS[what]} > 0")
            case SmsMatch(where):
                # a fresh WHERE: the lead-level `not`, if any, applies to the IN, never NULL
                selected = self._lead_sms()
                return self._in("s.lead_id", f"{selected} AND {self.sms(where)}")
        raise ValueError(f"not a lead-level predicate: {node!r}")

    def _counts(self) -> str:
        """The per-lead counts of the organization, a condition on them to follow."""
        return f"FROM lead_sms_count AS c WHERE c.organization_id = {self.bind(self.org_id)} AND"

    def _count(self, column: str, op: Op, value: int) -> str:
        """A comparison of the lead's count, from the one narrow row per lead with some SMS
        instead of grouping (or listing) its SMS: 100 ms for `sms_messages > 20`, 80,000
        entries listed for `not failed_sms > 0`, at 1 M SMS. A lead without a row counts 0;
        if the comparison holds for 0, exclude the leads whose row fails it instead."""
        if _holds(op, 0, value):
            test = f"NOT (c.{column} {_OPS[op]} {self.bind(value)})"
            return self._in("c.lead_id", f"{self._counts()} {test}", exclude=True)
        return self._in("c.lead_id", f"{self._counts()} c.{column} {_OPS[op]} {self.bind(value)}")

    def _latest_status(self, status: str) -> str:
        """The lead's latest outbound SMS has `status`: one index range over the per-lead
        summary that migration 004's triggers keep (latest = greatest date_created, then
        greatest id), where deciding it from the SMS costs a seek per candidate message."""
        return self._in(
            "m.lead_id",
            f"FROM lead_sms_summary AS m WHERE m.organization_id = {self.bind(self.org_id)}"
            f" AND m.latest_outbound_status = {self.bind(status)}",
        )

    def _contains(self, column: str, value: str, negated: bool) -> str:
        test = self.dialect.contains.format(column=column, param=self.bind(fold(value)))
        return self._null_safe(column, test, negated)

    def sms(self, node: Node, negated: bool = False) -> str:
        match node:
            case And(items):
                return "(" + " AND ".join(self.sms(i, negated) for i in items) + ")"
            case Or(items):
                return "(" + " OR ".join(self.sms(i, negated) for i in items) + ")"
            case Not(item):
                return f"(NOT {self.sms(item, True)})"
            case All():
                return self.dialect.true
            case Contains(field, value):
                return self._contains(_SMS_COLUMNS[field], value, negated)
            case PhoneIs(field, phone) | ChoiceIs(field, phone):
                column = _SMS_COLUMNS[field]
                return self._null_safe(column, f"{column} = {self.bind(phone)}", negated)
            case NumberIs(field, op, value):
                column = _SMS_COLUMNS[field]
                test = f"{column} {_OPS[op]} {self.bind(value)}"
                return self._null_safe(column, test, negated)
            case DateIs(field, op, value):
                return self._date(_SMS_COLUMNS[field], op, *resolve(value, self.now, self.tz))
        raise ValueError(f"not an SMS-level predicate: {node!r}")

    def _date(self, column: str, op: Op, start: datetime, end: datetime) -> str:
        # Stored dates are gateway.core.dates.iso() text, which sorts as time does.
        if op is Op.EQ:
            return f"({column} >= {self.bind(iso(start))} AND {column} < {self.bind(iso(end))})"
        bound, sign = {
            Op.GT: (end, ">="),
            Op.GE: (start, ">="),
            Op.LT: (start, "<"),
            Op.LE: (end, "<"),
        }[op]
        return f"{column} {sign} {self.bind(iso(bound))}"


def compile_where(
    node: Node, *, org_id: str, now: datetime, tz: tzinfo, dialect: Dialect = SQLITE
) -> Compiled:
    """The lead predicate alone, over `leads AS l`."""
    compiler = _Compiler(dialect, org_id, now, tz)
    return Compiled(compiler.lead(node), tuple(compiler.params))


def _drives(node: Node) -> bool:
    """Whether `node` (or a conjunct of it) is an `l.id IN (...)` that only leads with some
    matching SMS or phone pass: then the few candidate ids should drive the query, through
    the primary key, instead of every lead of the organization."""
    match node:
        case Has() | SmsMatch() | PhoneIs() | ChoiceIs("latest_sms_status", _):
            return True
        case NumberIs("sms_messages" | "failed_sms", op, value):
            return not _holds(op, 0, value)
        case And(items):
            return any(_drives(i) for i in items)
    return False


def _lead_tests(node: Node) -> Iterator[Node]:
    """The lead-level tests `node` is made of, through its and / or / not (an `sms(...)` is
    one test: its inside is about SMS)."""
    match node:
        case And(items) | Or(items):
            for item in items:
                yield from _lead_tests(item)
        case Not(item):
            yield from _lead_tests(item)
        case _:
            yield node


def compile_search(
    node: Node,
    *,
    org_id: str,
    now: datetime,
    tz: tzinfo,
    skip: int,
    limit: int,
    dialect: Dialect = SQLITE,
    walk: int | None = None,
) -> Compiled:
    """One statement answering both the page and the total: rows (id, created, seq, NULL)
    for the page, in no promised order (sort them by created, seq, newest first), and one
    row (NULL, NULL, NULL, total).

    First the organization's `walk` newest leads (by default ten times the page's end) are
    tested one by one, in the page's order. If the page is among them (dense matches, such
    as the 55 % of leads `has:inbound_sms` finds), it is the page, and the total is a count
    that stores nothing: finding, storing and sorting 55,000 matches took as long as
    counting them. Otherwise the matches are found once, into the materialized `hits`,
    which gives both the page and the total. Either way the other branch is never run
    (a LIMIT of 0, an untaken CASE: neither database reads a row for them)."""
    compiler = _Compiler(dialect, org_id, now, tz)
    org = compiler.bind(org_id)
    # Without statistics SQLite prefers the organization index, walking every lead (twice
    # as slow as probing the candidates); hiding it leaves the candidates' primary key.
    scope = dialect.unindexed.format("l.organization_id") if _drives(node) else "l.organization_id"
    where = compiler.lead(node)  # numbered placeholders: the text may appear twice
    seq = dialect.sequence
    hits = (
        f"hits AS {dialect.materialized} ("
        f"SELECT l.id AS id, l.date_created AS created, l.{seq} AS seq"
        f" FROM leads AS l WHERE {scope} = {org} AND {where})"
    )
    rows, offset = compiler.bind(limit), compiler.bind(skip)
    order = "ORDER BY created DESC, seq DESC"
    tests = list(_lead_tests(node))
    # The page may be found by testing leads one by one in its order when every test is one
    # lookup by the lead's id (a count, the summary, a phone) or on the lead itself. Not
    # `sms(...)`: per lead, SQLite (without statistics) read the whole index range of the
    # tested SMS column instead of the lead's SMS (1.7 s for `sms(error:landline ...)`).
    if any(isinstance(test, SmsMatch) for test in tests):
        sql = (
            f"WITH {hits} SELECT id, created, seq, NULL AS total FROM"
            f" (SELECT id, created, seq FROM hits {order} LIMIT {rows} OFFSET {offset}) AS page"
            " UNION ALL SELECT NULL, NULL, NULL, count(*) FROM hits"
        )
        return Compiled(sql, tuple(compiler.params))
    tested = _Compiler(dialect, org_id, now, tz, compiler.params, correlated=True).lead(node)
    # a test of the name: the walk reads it from the leads, not only the index
    names = any(isinstance(test, Contains) and test.field == "name" for test in tests)
    end = compiler.bind(skip + limit)
    first = compiler.bind(_WALK * (skip + limit) if walk is None else walk)
    matched = f"SELECT count(*) FROM leads AS l WHERE {scope} = {org} AND {where}"
    sql = (
        f"WITH walked AS {dialect.materialized} ("
        "SELECT l.id AS id, l.date_created AS created, l.seq AS seq FROM"
        f" (SELECT l.id,{' l.name,' if names else ''} l.date_created, l.{seq} AS seq"
        " FROM leads AS l"
        f" WHERE l.organization_id = {org} ORDER BY l.date_created DESC, l.{seq} DESC"
        f" LIMIT {first}) AS l WHERE {tested} {order} LIMIT {end}),"
        f" dense AS {dialect.materialized} (SELECT count(*) >= {end} AS yes FROM walked),"
        f" {hits}"
        # PostgreSQL types a UNION's NULL columns from the branches before (as text, else).
        # The total comes last: as the first branch it cost SQLite 2.6x (has:inbound_sms
        # 43 -> 111 ms of CPU at 1 M SMS)
        " SELECT id, created, seq, CAST(NULL AS BIGINT) AS total FROM"
        f" (SELECT id, created, seq FROM walked {order} LIMIT {rows} OFFSET {offset}) AS page"
        " WHERE (SELECT yes FROM dense)"
        " UNION ALL SELECT id, created, seq, NULL FROM"
        f" (SELECT id, created, seq FROM hits {order}"
        f" LIMIT (SELECT CASE WHEN yes THEN 0 ELSE {rows} END FROM dense) OFFSET {offset}) AS found"
        " UNION ALL SELECT NULL, NULL, NULL, CASE WHEN (SELECT yes FROM dense)"
        f" THEN ({matched}) ELSE (SELECT count(*) FROM hits) END"
    )
    return Compiled(sql, tuple(compiler.params))
