"""Hypothesis strategies: search ASTs (and their text, with the surface variations the
language allows) and small worlds of leads and messages to run them on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import strategies as st

from gateway.core.dates import iso
from gateway.core.models import Contact, ContactPhone, Lead, Sms
from gateway.search.ast import (
    All,
    And,
    CalendarDay,
    ChoiceIs,
    Contains,
    DateIs,
    DateValue,
    Has,
    Moment,
    Node,
    Not,
    NumberIs,
    Op,
    Or,
    PhoneIs,
    RelativeDay,
    RelativeMonth,
    RelativeWeek,
    SmsMatch,
)
from gateway.search.fields import HAS, STATUSES

NOW = datetime(2026, 11, 27, 8, 30, 0, 123456, tzinfo=UTC)  # a Friday
ORG, OTHER_ORG = "orga_main", "orga_other"
OFFSETS = (0.0, -4.0, 5.5, -9.5, 12.75, -11.0)
ZONES = tuple(timezone(timedelta(hours=h)) for h in OFFSETS)

PHONES = ("+14155550100", "+14155550101", "+14155550102", "+442071838750")
NAMES = ("Bluth Co", "bluth", "Sitwell", "ÉCOLE", "école", 'a "quoted" name', "x\\y")
TEXTS = ("Hello", "hello there", "FREE money", "Grüße", "(paren) text", "ça va", "")
REASONS = ("landline", "unreachable", "spam", "unknown")
CODES = (30003, 30006, 30007, 21610)


def _moments() -> list[datetime]:
    """Times near NOW, and the edges of days, weeks and months in every zone we test."""
    found = {NOW + timedelta(hours=h) for h in range(-24 * 40, 24 * 3, 13)}
    for zone in ZONES:
        today = NOW.astimezone(zone).date()
        edges = [today + timedelta(days=d) for d in range(-3, 3)]
        edges += [today - timedelta(days=today.weekday() + 7 * w) for w in (0, 1)]
        edges += [date(2026, 11, 1), date(2026, 10, 1), date(2026, 12, 1)]
        for day in edges:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
            found |= {midnight, midnight - timedelta(microseconds=1)}
    return sorted(found)


MOMENTS = _moments()
# by index: sampled_from would spell the whole list in every repr hypothesis prints
moment_times = st.integers(0, len(MOMENTS) - 1).map(MOMENTS.__getitem__)
moments = moment_times.map(iso)
ops = st.sampled_from(list(Op))

# --- ASTs ------------------------------------------------------------------------------------

date_values: st.SearchStrategy[DateValue] = st.one_of(
    st.sampled_from(
        [
            RelativeDay(0),
            RelativeDay(-1),
            RelativeDay(1),
            RelativeWeek(0),
            RelativeWeek(-1),
            RelativeMonth(0),
            RelativeMonth(-1),
        ]
    ),
    st.integers(0, 45).map(lambda n: RelativeDay(-n)),
    moment_times.map(lambda m: CalendarDay(m.date())),
    st.builds(
        lambda m, p, naive: Moment(m.replace(tzinfo=None) if naive else m, p),
        moment_times.map(lambda m: m.replace(second=0, microsecond=0)),
        st.sampled_from(["minutes", "seconds", "microseconds"]),
        st.booleans(),
    ),
)
_sms_leaves: st.SearchStrategy[Node] = st.one_of(
    st.builds(DateIs, st.just("created"), ops, date_values),
    st.builds(ChoiceIs, st.just("direction"), st.sampled_from(["outbound", "inbound"])),
    st.builds(ChoiceIs, st.just("status"), st.sampled_from(STATUSES)),
    st.builds(ChoiceIs, st.just("error"), st.sampled_from(REASONS)),
    st.builds(NumberIs, st.just("error_code"), ops, st.sampled_from(CODES)),
    st.builds(NumberIs, st.just("segments"), ops, st.integers(0, 4)),
    st.builds(
        Contains, st.just("text"), st.sampled_from(["hello", "HELLO", "ü", "money", "(", "ça", "e"])
    ),
    st.builds(PhoneIs, st.sampled_from(["local_phone", "remote_phone"]), st.sampled_from(PHONES)),
    st.just(All()),
)


# Composites keep reprs short: hypothesis spells nested one_of/recursive strategies out in
# full, and under filterwarnings=error its "overly large repr" warning fails the test.
@st.composite
def sms_leaves(draw: st.DrawFn) -> Node:
    return draw(_sms_leaves)


def _trees(leaves: st.SearchStrategy[Node], max_leaves: int) -> st.SearchStrategy[Node]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.builds(Not, children),
            st.lists(children, min_size=2, max_size=3, unique=True).map(lambda xs: And(tuple(xs))),
            st.lists(children, min_size=2, max_size=3, unique=True).map(lambda xs: Or(tuple(xs))),
        ),
        max_leaves=max_leaves,
    )


_lead_leaves: st.SearchStrategy[Node] = st.one_of(
    st.builds(
        Contains,
        st.just("name"),
        st.sampled_from(["bluth", "BLUTH", "é", "É", '"quoted"', "\\", "sit"]),
    ),
    st.builds(PhoneIs, st.just("phone"), st.sampled_from(PHONES)),
    st.builds(NumberIs, st.sampled_from(["sms_messages", "failed_sms"]), ops, st.integers(0, 4)),
    st.builds(ChoiceIs, st.just("latest_sms_status"), st.sampled_from(STATUSES)),
    st.builds(Has, st.sampled_from(HAS)),
    st.builds(SmsMatch, _trees(sms_leaves(), 4)),
)  # `*` only inside sms(...): at lead level it mostly makes "every lead", which tells little


@st.composite
def lead_leaves(draw: st.DrawFn) -> Node:
    return draw(_lead_leaves)


@st.composite
def queries(draw: st.DrawFn) -> Node:
    return draw(_trees(lead_leaves(), 6))


# --- rendering: AST -> text, varying what the language lets vary -----------------------------

_WORDS = {
    RelativeDay(0): "today",
    RelativeDay(-1): "yesterday",
    RelativeDay(1): "tomorrow",
    RelativeWeek(0): '"this week"',
    RelativeWeek(-1): '"last week"',
    RelativeMonth(0): '"This Month"',
    RelativeMonth(-1): '"last  month"',
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(value: DateValue) -> str:
    if value in _WORDS:
        return _WORDS[value]
    match value:
        case RelativeDay(days):
            return f'"{-days} days ago"'
        case CalendarDay(day):
            return day.isoformat()
        case Moment(at, precision):
            return _quote(at.isoformat(timespec=precision))
    raise AssertionError(value)


def render(node: Node, draw: st.DrawFn) -> str:
    def kw(word: str) -> str:
        return draw(st.sampled_from([word, word.upper(), word.capitalize()]))

    def op_text(field: str, op: Op, value: str) -> str:
        if op is Op.EQ:
            return draw(
                st.sampled_from([f"{field}:{value}", f"{field} = {value}", f"{field}: {value}"])
            )
        return f"{field} {op.value} {value}"

    def group(child: Node) -> str:
        text = render(child, draw)
        return f"({text})" if isinstance(child, And | Or) else text

    match node:
        case And(items):
            joiner = draw(st.sampled_from([" ", f" {kw('and')} "]))
            return joiner.join(group(i) for i in items)
        case Or(items):
            return f" {kw('or')} ".join(group(i) for i in items)
        case Not(item):
            return f"{kw('not')} {group(item)}"
        case All():
            return "*"
        case Contains(field, value):
            return f"{field}:{_quote(value)}"
        case PhoneIs(field, phone):
            return f"{field}:{phone}"
        case NumberIs(field, op, value):
            return op_text(field, op, str(value))
        case ChoiceIs("direction", value):
            spelled = {
                "outbound": ["outbound", "outgoing", "OUTGOING"],
                "inbound": ["inbound", "incoming"],
            }[value]
            return f"direction:{draw(st.sampled_from(spelled))}"
        case ChoiceIs(field, value):
            return f"{field}:{value}"
        case DateIs(_field, op, value):
            return op_text(draw(st.sampled_from(["created", "date"])), op, _date(value))
        case Has(what):
            return f"has:{what}"
        case SmsMatch(where):
            return f"{kw('sms')}({render(where, draw)})"
    raise AssertionError(node)


@st.composite
def query_texts(draw: st.DrawFn) -> tuple[Node, str]:
    node = draw(queries())
    return node, render(node, draw)


# --- worlds ----------------------------------------------------------------------------------


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Lead], list[Sms]]:
    leads: list[Lead] = []
    for i in range(draw(st.integers(1, 7))):
        org = OTHER_ORG if i and not draw(st.integers(0, 4)) else ORG
        lead_id, created = f"lead_{i}", draw(moments)
        contacts = tuple(
            Contact(
                f"cont_{i}_{j}",
                org,
                lead_id,
                None,
                None,
                tuple(
                    ContactPhone(p)
                    for p in draw(st.lists(st.sampled_from(PHONES), max_size=2, unique=True))
                ),
                created,
                created,
            )
            for j in range(draw(st.integers(0, 2)))
        )
        leads.append(
            Lead(
                lead_id,
                org,
                draw(st.none() | st.sampled_from(NAMES)),
                None,
                contacts,
                created,
                created,
            )
        )
    lead_ids = [lead.id for lead in leads]
    messages = []
    for i in range(draw(st.integers(0, 24))):
        status = draw(st.sampled_from(STATUSES))
        failed = status == "error"
        messages.append(
            Sms(
                id=f"acti_{i}",
                organization_id=draw(st.sampled_from([ORG, ORG, ORG, OTHER_ORG])),
                lead_id=draw(st.sampled_from(lead_ids))
                if lead_ids and draw(st.integers(0, 9))
                else None,
                contact_id=None,
                direction="inbound"
                if status == "inbox" and draw(st.booleans())
                else draw(st.sampled_from(["outbound", "outbound", "inbound"])),
                status=status,
                text=draw(st.sampled_from(TEXTS)),
                local_phone=draw(st.none() | st.sampled_from(PHONES)),
                remote_phone=draw(st.none() | st.sampled_from(PHONES)),
                # now and then another message's moment: ties that the tie-break must settle
                date_created=draw(st.sampled_from([m.date_created for m in messages]))
                if messages and not draw(st.integers(0, 3))
                else draw(moments),
                date_updated=iso(NOW),
                segments=draw(st.integers(1, 4)),
                error_code=draw(st.sampled_from(CODES))
                if failed or not draw(st.integers(0, 5))
                else None,
                error_reason=draw(st.sampled_from(REASONS)) if failed else None,
            )
        )
    return leads, messages
