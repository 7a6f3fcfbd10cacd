"""Query text -> AST, and every way a query can be refused (gateway/search/parse.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.search import InvalidValue, QuerySyntaxError, QueryTooComplex, UnknownField, parse
from gateway.search.ast import (
    All,
    And,
    CalendarDay,
    ChoiceIs,
    Contains,
    DateIs,
    Has,
    Moment,
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
from gateway.search.parse import MAX_DEPTH, MAX_LENGTH, MAX_TERMS

ERROR, OUT = ChoiceIs("status", "error"), ChoiceIs("direction", "outbound")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the four seed queries, exactly as Close's help centre writes them
        ("failed_sms > 1", NumberIs("failed_sms", Op.GT, 1)),
        ("has:error_sms_messages", Has("error_sms_messages")),
        (
            "sms(created:today direction:outgoing status:error)",
            SmsMatch(And((DateIs("created", Op.EQ, RelativeDay(0)), OUT, ERROR))),
        ),
        ("latest_sms_status:error", ChoiceIs("latest_sms_status", "error")),
        # lead fields
        ('name:"Bluth Co"', Contains("name", "Bluth Co")),
        ("name:bluth", Contains("name", "bluth")),
        ('phone:"(415) 555-0100"', PhoneIs("phone", "+14155550100")),
        ("phone:+442071838750", PhoneIs("phone", "+442071838750")),
        ("sms_messages >= 3", NumberIs("sms_messages", Op.GE, 3)),
        ("failed_sms:0", NumberIs("failed_sms", Op.EQ, 0)),
        ("failed_sms = 2", NumberIs("failed_sms", Op.EQ, 2)),
        ("failed_sms<=2", NumberIs("failed_sms", Op.LE, 2)),
        ("has:sms_messages", Has("sms_messages")),
        ("HAS:Inbound_SMS", Has("inbound_sms")),
        ("*", All()),
        # sms(...) fields and aliases
        ("sms(direction:incoming)", SmsMatch(ChoiceIs("direction", "inbound"))),
        ("sms(direction:inbound)", SmsMatch(ChoiceIs("direction", "inbound"))),
        ("sms(direction:outbound)", SmsMatch(OUT)),
        ("sms(error:landline)", SmsMatch(ChoiceIs("error", "landline"))),
        ("sms(error_code:30006)", SmsMatch(NumberIs("error_code", Op.EQ, 30006))),
        ('sms(text:"free money")', SmsMatch(Contains("text", "free money"))),
        ("sms(local_phone:+14155550100)", SmsMatch(PhoneIs("local_phone", "+14155550100"))),
        ('sms(remote_phone:"415 555 0101")', SmsMatch(PhoneIs("remote_phone", "+14155550101"))),
        ("sms(segments > 1)", SmsMatch(NumberIs("segments", Op.GT, 1))),
        ('sms(date >= "3 days ago")', SmsMatch(DateIs("created", Op.GE, RelativeDay(-3)))),
        (
            "sms(created < 2026-11-01)",
            SmsMatch(DateIs("created", Op.LT, CalendarDay(date(2026, 11, 1)))),
        ),
        ("sms(created:*)", None),  # `*` is a term, not a value: a syntax error, checked below
    ],
)
def test_parses(text: str, expected: object) -> None:
    if expected is None:
        with pytest.raises(QuerySyntaxError):
            parse(text)
    else:
        assert parse(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("today", RelativeDay(0)),
        ("yesterday", RelativeDay(-1)),
        ("tomorrow", RelativeDay(1)),
        ('"1 day ago"', RelativeDay(-1)),
        ('"0 days ago"', RelativeDay(0)),
        ('"10  days   ago"', RelativeDay(-10)),
        ('"This Week"', RelativeWeek(0)),
        ('"last week"', RelativeWeek(-1)),
        ('"this month"', RelativeMonth(0)),
        ('"last month"', RelativeMonth(-1)),
        ("2026-11-27", CalendarDay(date(2026, 11, 27))),
        ("2026-11-27T08:30", Moment(datetime(2026, 11, 27, 8, 30), "minutes")),
        ("2026-11-27T08:30:15Z", Moment(datetime(2026, 11, 27, 8, 30, 15, tzinfo=UTC), "seconds")),
        (
            '"2026-11-27 08:30:15.25+00:00"',
            Moment(datetime(2026, 11, 27, 8, 30, 15, 250000, tzinfo=UTC), "microseconds"),
        ),
    ],
)
def test_date_values(value: str, expected: object) -> None:
    assert parse(f"sms(created:{value})") == SmsMatch(DateIs("created", Op.EQ, expected))


def test_precedence_not_over_and_over_or() -> None:
    a, b, c = (Contains("name", x) for x in "abc")
    assert parse("name:a or name:b name:c") == Or((a, And((b, c))))
    assert parse("name:a AND name:b Or name:c") == Or((And((a, b)), c))
    assert parse("not name:a name:b") == And((Not(a), b))
    assert parse("NOT (name:a or name:b)") == Not(Or((a, b)))
    assert parse("(name:a or name:b) name:c") == And((Or((a, b)), c))
    assert parse("not not name:a") == Not(Not(a))


def test_keywords_inside_words_and_values_stay_words() -> None:
    # `orders`/`notes` start with keywords; `and` after a colon is a value
    assert parse("name:and") == Contains("name", "and")
    assert parse("name:or or name:not") == Or((Contains("name", "or"), Contains("name", "not")))
    with pytest.raises(UnknownField) as info:
        parse("notes:x")
    assert info.value.field == "notes"


def test_logic_inside_sms() -> None:
    assert parse("sms(status:error or not direction:outgoing)") == SmsMatch(Or((ERROR, Not(OUT))))


def test_quotes_and_escapes() -> None:
    assert parse(r'name:"say \"hi\" \\ bye"') == Contains("name", 'say "hi" \\ bye')
    assert parse('name:"Café (Ünïcode)"') == Contains("name", "Café (Ünïcode)")
    assert parse("name:Café") == Contains("name", "Café")


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("name:", 5, "a value"),
        ("sms(status:error", 16, "')'"),
        ("(name:a", 7, "')'"),
        ("name:a)", 6, "the end of the query"),
        ("name:a or", 9, "a search term"),
        ("sms:error", 3, "'('"),
        ("failed_sms >", 12, "a value"),
        ("failed_sms", 10, "':'"),
        ("", 0, "a search term"),
        ("name:a ~", 7, "'and'"),
        ('name:"open', 5, "'\"'"),
        ("é", 0, "a search term"),
        ("sms()", 4, "a search term"),
        ("name:a\x00", 6, "printable text"),
    ],
)
def test_syntax_errors_name_the_position_and_what_was_expected(
    text: str, position: int, expected: str
) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    assert info.value.position == position
    assert any(e.startswith(expected) for e in info.value.expected), info.value.expected
    assert f"at position {position}" in str(info.value)


def test_free_text_gets_a_hint() -> None:
    with pytest.raises(QuerySyntaxError, match="quote values that contain spaces"):
        parse("sms(created >= 3 days ago)")


@pytest.mark.parametrize(
    ("text", "field", "known"),
    [
        ("foo:1", "foo", "failed_sms"),
        ("status:error", "status", "latest_sms_status"),
        ("sms(name:x)", "name", "direction"),
        ("sms(sms(status:error))", "sms", "status"),
        ("has:calls", "has:calls", "has:error_sms_messages"),
        ("Email_Address:x", "Email_Address", "phone"),
    ],
)
def test_unknown_fields_are_named_with_the_known_ones(text: str, field: str, known: str) -> None:
    with pytest.raises(UnknownField) as info:
        parse(text)
    assert info.value.field == field and known in info.value.known
    assert repr(field) in str(info.value) and known in str(info.value)


def test_lead_scope_lists_sms_as_known() -> None:
    with pytest.raises(UnknownField) as info:
        parse("foo:1")
    assert "sms(...)" in info.value.known


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("failed_sms > x", 13),
        ("failed_sms > 1.5", 13),
        ("failed_sms > 99999999999999999", 13),
        ("latest_sms_status:failed", 18),
        ("sms(direction:sideways)", 14),
        ("sms(error:banana)", 10),
        ("sms(created:banana)", 12),
        ('sms(created:"999999 days ago")', 12),
        ("sms(created:2026-02-30)", 12),
        ("name > 3", 5),
        ("phone:12", 6),
        ('name:""', 5),
        ('name:"  "', 5),
    ],
)
def test_invalid_values(text: str, position: int) -> None:
    with pytest.raises(InvalidValue) as info:
        parse(text)
    assert info.value.position == position


def test_limits() -> None:
    with pytest.raises(QueryTooComplex):
        parse("name:a " * (MAX_LENGTH // 7 + 1))
    with pytest.raises(QueryTooComplex):
        parse("not " * MAX_DEPTH + "name:a")
    assert parse("not " * (MAX_DEPTH - 1) + "name:a") is not None
    # parentheses alone add no depth: they only group
    assert parse("(" * 500 + "name:a" + ")" * 500) == Contains("name", "a")
    many = " ".join(f"name:a{i}" for i in range(MAX_TERMS))
    assert len(parse(many).items) == MAX_TERMS  # type: ignore[union-attr]
    # a clause said twice is one clause: x AND x is x
    assert parse("* " * MAX_TERMS) == All()
    assert parse("name:a name:b name:a") == And((Contains("name", "a"), Contains("name", "b")))
    with pytest.raises(QueryTooComplex) as info:
        parse("name:a " * MAX_TERMS + "name:b")
    assert info.value.position == 7 * MAX_TERMS  # the first clause too many


def test_region_reads_national_numbers() -> None:
    assert parse("phone:02071838750", region="GB") == PhoneIs("phone", "+442071838750")
    with pytest.raises(InvalidValue):
        parse("phone:4155550100", region=None)
