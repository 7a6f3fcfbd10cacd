"""AST -> SQL text and bound parameters (gateway/search/compile.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway.search import compile_search, compile_where, parse
from gateway.search.fields import fold

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
ORG = "orga_x"


def where(text: str, tz: timezone = UTC) -> tuple[str, tuple[object, ...]]:
    compiled = compile_where(parse(text), org_id=ORG, now=NOW, tz=tz)
    return compiled.sql, compiled.params


def _placeholders(sql: str) -> list[int]:
    return [int(n) for n in re.findall(r"\?(\d+)", sql)]


def test_failed_sms_reads_the_per_lead_count() -> None:
    sql, params = where("failed_sms > 1")
    assert params == (ORG, 1)
    assert sql == (
        "l.id IN (SELECT c.lead_id FROM lead_sms_count AS c"
        " WHERE c.organization_id = ?1 AND c.failed > ?2)"
    )


def test_a_count_that_holds_for_zero_asks_the_opposite_question() -> None:
    # leads without any SMS have no count row: "fewer than 2" must exclude the leads with 2+
    sql, params = where("failed_sms < 2")
    assert sql.startswith("l.id NOT IN (") and "NOT (c.failed < ?1)" in sql
    assert params == (2, ORG)
    assert where("sms_messages = 0")[0].startswith("l.id NOT IN (")
    assert where("sms_messages >= 1")[0].startswith("l.id IN (")


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("has:error_sms_messages", "failed"),
        ("has:inbound_sms", "inbound"),
        ("has:sms_messages", "messages"),
    ],
)
def test_has_reads_the_per_lead_count(text: str, column: str) -> None:
    sql, params = where(text)
    assert params == (ORG,)
    assert sql == (
        "l.id IN (SELECT c.lead_id FROM lead_sms_count AS c"
        f" WHERE c.organization_id = ?1 AND c.{column} > 0)"
    )


def test_sms_today_outgoing_error_in_the_callers_zone() -> None:
    sql, params = where(
        "sms(created:today direction:outgoing status:error)", timezone(timedelta(hours=-4))
    )
    # 08:30 UTC is 04:30 on the 27th at UTC-4: the local day starts at 04:00 UTC
    assert params == (
        ORG,
        "2026-11-27T04:00:00.000000+00:00",
        "2026-11-28T04:00:00.000000+00:00",
        "outbound",
        "error",
    )
    assert "(s.date_created >= ?2 AND s.date_created < ?3)" in sql
    assert "s.direction = ?4" in sql and "s.status = ?5" in sql


def test_latest_sms_status_reads_the_per_lead_summary() -> None:
    sql, params = where("latest_sms_status:error")
    assert params == (ORG, "error")
    assert sql == (
        "l.id IN (SELECT m.lead_id FROM lead_sms_summary AS m"
        " WHERE m.organization_id = ?1 AND m.latest_outbound_status = ?2)"
    )


START, END = "2026-11-27T00:00:00.000000+00:00", "2026-11-28T00:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("text", "fragment", "bound"),
    [
        ("sms(created > today)", "s.date_created >= ?2", END),  # after the day
        ("sms(created >= today)", "s.date_created >= ?2", START),  # from its start
        ("sms(created < today)", "s.date_created < ?2", START),  # before it
        ("sms(created <= today)", "s.date_created < ?2", END),  # up to its end
    ],
)
def test_date_comparisons_use_the_day_span(text: str, fragment: str, bound: str) -> None:
    sql, params = where(text)
    assert fragment in sql and params[1] == bound


def test_nullable_columns_never_make_not_unknown() -> None:
    sql, _ = where("sms(not error_code = 30006 not error:landline not remote_phone:+14155550100)")
    assert "coalesce(s.error_code = ?2, 0)" in sql
    assert "coalesce(s.error_reason = ?3, 0)" in sql
    assert "coalesce(s.remote_phone = ?4, 0)" in sql
    assert "coalesce(instr(lower(l.name), ?1) > 0, 0)" in where("not name:x")[0]


def test_logic_maps_to_sql_logic() -> None:
    sql, params = where("name:a or not (name:b name:c)")
    assert sql.count(" OR ") == 1 and sql.count("NOT ") == 1 and sql.count(" AND ") == 1
    assert params == ("a", "b", "c")


def test_phone_is_any_contact_phone_of_the_lead() -> None:
    sql, params = where('phone:"(415) 555-0100"')
    assert params == (ORG, "+14155550100")
    assert "contact_phones AS p JOIN contacts AS c" in sql


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE leads; --",
        '" OR 1=1 --',
        "x') UNION SELECT * FROM api_keys --",
        "Robert'); DELETE FROM sms;--",
        "%_\\",
        "?99",
        "ÉCOLE ✓",
    ],
)
def test_user_text_only_ever_travels_as_a_parameter(hostile: str) -> None:
    escaped = hostile.replace("\\", "\\\\").replace('"', '\\"')
    for text in (f'name:"{escaped}"', f'sms(text:"{escaped}")'):
        sql, params = where(text)
        assert hostile not in sql and hostile.lower() not in sql.lower()
        assert "DROP" not in sql and "UNION" not in sql and "DELETE" not in sql
        assert params[-1] == fold(hostile)


def test_text_search_folds_ascii_case_like_sqlite() -> None:
    _, params = where('name:"BLUTH École"')
    assert params == ("bluth École",)


def test_placeholders_are_numbered_in_binding_order() -> None:
    compiled = compile_search(
        parse('name:x sms(created:yesterday text:"a") or latest_sms_status:sent failed_sms>1'),
        org_id=ORG,
        now=NOW,
        tz=UTC,
        skip=20,
        limit=10,
    )
    numbers = _placeholders(compiled.sql)
    assert sorted(set(numbers)) == list(range(1, len(compiled.params) + 1))
    assert compiled.params[0] == ORG and compiled.params[-2:] == (10, 20)


def test_the_search_statement_pages_and_counts_in_one() -> None:
    compiled = compile_search(
        parse("sms(status:error)"), org_id=ORG, now=NOW, tz=UTC, skip=5, limit=25
    )
    assert compiled.sql.startswith("WITH hits AS MATERIALIZED (")
    assert "LIMIT ?4 OFFSET ?5" in compiled.sql and "count(*) FROM hits" in compiled.sql
    assert compiled.params == (ORG, ORG, "error", 25, 5)


def test_a_page_of_dense_matches_is_walked_in_order_and_the_total_counted() -> None:
    compiled = compile_search(
        parse("failed_sms > 1"), org_id=ORG, now=NOW, tz=UTC, skip=5, limit=25
    )
    sql = compiled.sql
    # the newest 300 leads (10 per row up to the page's end), each tested by its count row
    assert sql.startswith("WITH walked AS MATERIALIZED (") and "LIMIT ?9) AS l" in sql
    assert "EXISTS (SELECT 1 FROM lead_sms_count AS c" in sql and "c.lead_id = l.id" in sql
    # the page is the walk's if it holds the page's 30 leads, else the matches' (hits)
    assert "CASE WHEN yes THEN 0 ELSE ?4 END" in sql and "count(*) >= ?8 AS yes" in sql
    assert "THEN (SELECT count(*) FROM leads AS l" in sql
    assert "ELSE (SELECT count(*) FROM hits) END" in sql
    assert compiled.params == (ORG, ORG, 1, 25, 5, ORG, 1, 30, 300)


def test_candidates_drive_the_query_when_they_can() -> None:
    def scope(text: str) -> str:
        sql = compile_search(parse(text), org_id=ORG, now=NOW, tz=UTC, skip=0, limit=1).sql
        return "+l.organization_id" if "+l.organization_id" in sql else "l.organization_id"

    for text in (
        "failed_sms > 1",
        "has:error_sms_messages",
        "latest_sms_status:error",
        "sms(status:error)",
        "name:x sms(status:error)",
        "phone:+14155550100",
    ):
        assert scope(text) == "+l.organization_id", text
    for text in (
        "not failed_sms > 1",
        "failed_sms < 1",
        "name:x",
        "*",
        "has:inbound_sms or name:x",
    ):
        assert scope(text) == "l.organization_id", text
