"""The console in Chromium: sign in and out, add a lead, send from the composer and watch it
get delivered without a reload, a landline's error label, the four seed queries against the
API's counts, the JS segment counter against telecom.segments, escaping, tenancy."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from simulator.scenario.carrier_model import HandsetKind, HandsetRule, Reply, Scenario
from telecom import segment
from tests.databases import POSTGRESQL
from tests.e2e.console_browser import Lab, lab_fixture, screenshot, start_browser, stop_browser

# One lab (and database) for the module; a PostgreSQL test database lives as long as one test
# (tests/databases.py), and what the console stores it stores through the API's handlers,
# which the PostgreSQL suite covers.
pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(POSTGRESQL, reason="the module's one lab runs on SQLite"),
]

SCENARIO = Scenario(
    name="console",
    test_numbers=True,
    handsets=(
        HandsetRule(HandsetKind.LANDLINE, pattern=re.compile(r"\+1212555010\d")),  # 30006
        HandsetRule(
            HandsetKind.MOBILE,
            pattern=re.compile(r"\+1415555019\d"),
            reply=Reply("Sounds good, see you then", delay=0.2),
        ),
        HandsetRule(HandsetKind.MOBILE, pattern=re.compile(r"\+1212555015\d")),
    ),
)
SEEDS = (
    "failed_sms > 1",
    "has:error_sms_messages",
    "sms(created:today direction:outgoing status:error)",
    "latest_sms_status:error",
)

lab = pytest.fixture(scope="module")(lab_fixture(SCENARIO))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = start_browser()
    yield driver
    stop_browser(driver)


@pytest.fixture(scope="module")
def key(lab: Lab) -> str:
    return lab.run(lab.harness.new_org("Bluth Company"))


@pytest.fixture(scope="module")
def number(lab: Lab, key: str) -> dict[str, Any]:
    return lab.run(lab.harness.rent(key))


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except Exception:  # an element swapped out by the live region meanwhile
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.1)


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def sign_in(driver: Any, lab: Lab, api_key: str) -> None:
    driver.get(f"{lab.url}/ui/login")
    if "/ui/login" not in driver.current_url:  # still signed in from an earlier test
        sign_out(driver)
        driver.get(f"{lab.url}/ui/login")
    field = css(driver, "input[name=api_key]")
    field.send_keys(api_key)
    field.submit()
    wait_for(lambda: driver.current_url.endswith("/ui/leads"))


def sign_out(driver: Any) -> None:
    css(driver, "form.signout button").click()
    wait_for(lambda: "/ui/login" in driver.current_url)


def add_lead(driver: Any, lab: Lab, name: str, phone: str) -> str:
    driver.get(f"{lab.url}/ui/leads")
    css(driver, "#lead-name").send_keys(name)
    css(driver, "#contact-name").send_keys("George Bluth")
    css(driver, "#contact-phone").send_keys(phone)
    css(driver, "#contact-phone").submit()
    wait_for(lambda: "/ui/leads/lead_" in driver.current_url)
    return str(driver.current_url.rsplit("/", 1)[-1])


def compose(driver: Any, text: str) -> None:
    box = css(driver, "textarea[name=text]")
    box.clear()
    box.send_keys(text)


def sms_items(driver: Any) -> list[dict[str, str]]:
    return [
        {
            "id": e.get_attribute("data-sms-id"),
            "status": e.get_attribute("data-status"),
            "text": e.find_element("css selector", ".text").text,
        }
        for e in all_css(driver, "[data-sms-id]")
    ]


def test_sign_in_refuses_a_wrong_key_and_sign_out_ends_the_session(
    browser: Any, lab: Lab, key: str
) -> None:
    driver = browser
    driver.get(f"{lab.url}/ui/leads")
    wait_for(lambda: "/ui/login" in driver.current_url)
    css(driver, "input[name=api_key]").send_keys("api_not-a-key")
    css(driver, "input[name=api_key]").submit()
    assert "not valid" in wait_for(lambda: css(driver, ".notice.error").text)
    sign_in(driver, lab, key)
    cookie = driver.get_cookie("smslab_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and "expiry" in cookie
    assert key not in driver.current_url
    sign_out(driver)
    driver.get(f"{lab.url}/ui/leads")
    assert "/ui/login" in driver.current_url
    # the old cookie, replayed, no longer opens anything
    driver.add_cookie({k: cookie[k] for k in ("name", "value", "path")})
    driver.get(f"{lab.url}/ui/leads")
    assert "/ui/login" in driver.current_url


def test_composer_counts_as_the_gateway_counts(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    lead_id = add_lead(driver, lab, "Counting Co", "+12125550150")
    tricky = [
        "",
        "a" * 160,
        "a" * 161,
        "€" * 80,
        "€" * 81,
        "[" * 77 + "a",
        "^" * 153,
        "é" * 160,
        "ç" * 1,
        "😀" * 35,
        "😀" * 36,
        "a" * 66 + "😀",
        "a" * 67 + "😀" * 2,
        "x" * 152 + "€",
        "Tab\tin",
        "Ω line\nbreak\r",
        "日本語のテキスト",
        "🇬🇧 flag",
        "\u00a0nbsp",
        "~" * 80 + "a",
    ]
    for text in tricky:
        counted = driver.execute_script("return window.smslabSegments(arguments[0])", text)
        expected = segment(text)
        assert (counted["chars"], counted["segments"], counted["encoding"], counted["units"]) == (
            len(text),
            expected.segments,
            expected.encoding.value,
            expected.units,
        ), text
    # and live, as a user types: 153 septets of GSM-7 plus a euro sign (2 septets) -> 2
    compose(driver, "a" * 152 + "€" + "b" * 15)
    assert css(driver, "[data-chars]").get_attribute("data-chars") == "168"
    assert css(driver, "[data-segments]").get_attribute("data-segments") == "2"
    assert css(driver, "[data-encoding]").get_attribute("data-encoding") == "GSM-7"
    compose(driver, "Café ☕")
    assert css(driver, "[data-encoding]").get_attribute("data-encoding") == "UCS-2"
    assert lead_id


def test_send_from_the_composer_becomes_delivered_without_a_reload(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    add_lead(driver, lab, "Bluth Banana Stand", "+14155550191")
    compose(driver, "There's always money in the banana stand.")
    css(driver, "#composer button[type=submit]").click()
    first = wait_for(lambda: sms_items(driver))[-1]
    marker = driver.execute_script("window.smslabMarker = 1; return window.smslabMarker")
    item = f"[data-sms-id='{first['id']}']"
    wait_for(
        lambda: (
            css(driver, item).get_attribute("data-status") == "sent"
            and css(driver, f"{item} [data-delivery-status]").text == "delivered"
        )
    )
    assert driver.execute_script("return window.smslabMarker") == marker  # no reload
    meta = css(driver, f"{item} .meta").text
    assert "1 segment" in meta and "GSM-7" in meta and "0.83¢" in meta


def test_a_landline_shows_its_error_label_and_message(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    add_lead(driver, lab, "Sitwell Enterprises", "+12125550101")
    compose(driver, "Hello from the Bluth Company")
    css(driver, "#composer button[type=submit]").click()
    label = wait_for(lambda: css(driver, "[data-sms-id] [data-error-reason]"), 15)
    assert label.get_attribute("data-error-reason") == "landline"
    message = css(driver, "[data-sms-id] .error-message").text
    assert "landline" in message.lower() or "does not support sms" in message.lower(), message
    assert css(driver, "[data-sms-id]").get_attribute("data-status") == "error"
    screenshot(driver, "console-lead")


def test_the_seed_queries_count_what_the_api_counts(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    driver.get(f"{lab.url}/ui/leads")
    examples = [a.get_attribute("href") for a in all_css(driver, ".examples a")]
    assert len(examples) == 4
    for href, query in zip(examples, SEEDS, strict=True):
        driver.get(href)
        assert css(driver, "#query").get_attribute("value") == query
        shown = int(css(driver, "[data-total-results]").get_attribute("data-total-results"))
        status, answer = lab.run(
            lab.harness.request(key, "GET", "/api/v1/lead/", params={"query": query})
        )
        assert status == 200 and shown == answer["total_results"], query
    driver.get(f"{lab.url}/ui/leads?query=has:error_sms_messages")
    assert int(css(driver, "[data-total-results]").get_attribute("data-total-results")) >= 1
    screenshot(driver, "console-search")
    # a query the language refuses: the error inline, the position marked
    driver.get(f"{lab.url}/ui/leads?query=failed_sms+%3E+%3E")
    assert "position 13" in css(driver, "#query-error").text
    assert css(driver, "#query-error mark").text == ">"


def test_user_text_is_shown_as_text(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    add_lead(driver, lab, "<img src=x onerror=window.pwned=1>", "+12125550152")
    compose(driver, "<script>window.pwned=2</script> & <b>bold</b>")
    css(driver, "#composer button[type=submit]").click()
    wait_for(lambda: sms_items(driver))
    assert css(driver, "h1").text == "<img src=x onerror=window.pwned=1>"
    assert sms_items(driver)[0]["text"] == "<script>window.pwned=2</script> & <b>bold</b>"
    time.sleep(2)  # a live refresh swapped the timeline in: still text
    assert sms_items(driver)[0]["text"] == "<script>window.pwned=2</script> & <b>bold</b>"
    assert driver.execute_script("return window.pwned === undefined")
    assert not all_css(driver, "main img, main b")


def test_another_organizations_lead_is_not_found(browser: Any, lab: Lab, key: str) -> None:
    driver = browser
    other = lab.run(lab.harness.new_org("Sitwell"))
    theirs = lab.run(lab.harness.lead_with(other, "+12125550153", name="Sitwell secret"))
    sign_in(driver, lab, key)
    driver.get(f"{lab.url}/ui/leads/{theirs['id']}")
    assert css(driver, "h1").text == "Not found"
    assert "Sitwell secret" not in driver.page_source
    status = driver.execute_script(
        "const r = await fetch(arguments[0]); return r.status", f"/ui/leads/{theirs['id']}/live"
    )
    assert status == 404


def test_rent_a_number_label_it_and_an_external_one_cannot_text(browser: Any, lab: Lab) -> None:
    driver = browser
    renter = lab.run(lab.harness.new_org("Renters"))
    sign_in(driver, lab, renter)
    driver.get(f"{lab.url}/ui/numbers")
    css(driver, "#rent-prefix").send_keys("415")
    css(driver, "#rent-label").send_keys("Sales line")
    css(driver, "#rent-label").submit()
    row = wait_for(lambda: css(driver, "tr[data-type=internal]"))
    assert "+1 415" in row.text and "texts CA, US" in row.text
    assert (
        css(driver, "tr[data-type=internal] input[name=label]").get_attribute("value")
        == "Sales line"
    )
    css(driver, "#ext-number").send_keys("+12125550199")
    css(driver, "#ext-number").submit()
    wait_for(lambda: css(driver, "tr[data-type=external] [data-cannot-text]"))
    css(driver, "tr[data-type=internal] button.danger").click()
    wait_for(lambda: not all_css(driver, "tr[data-type=internal]"))


def test_an_inbound_sms_shows_in_the_inbox_and_on_its_lead_live(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    lead_id = add_lead(driver, lab, "Gob's Magic", "+14155550197")
    driver.get(f"{lab.url}/ui/inbox")
    lab.run(lab.harness.handset_sends("+14155550197", number["number"], "Illusions, Michael"))
    item = wait_for(
        lambda: [e for e in all_css(driver, "[data-sms-id]") if "Illusions, Michael" in e.text]
    )[0]
    assert item.get_attribute("data-status") == "inbox"
    screenshot(driver, "console-inbox")
    css(driver, "[data-reply]").click()
    wait_for(lambda: lead_id in driver.current_url)
    assert any(s["text"] == "Illusions, Michael" for s in sms_items(driver))
    # the reply goes back to the sender, from the number it wrote to
    assert css(driver, "#to").get_attribute("value").endswith("|+14155550197")
    assert css(driver, "#local_phone").get_attribute("value") == number["number"]


def test_schedule_then_cancel_and_send_later_then_undo(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    add_lead(driver, lab, "Lucille Austero", "+12125550154")
    compose(driver, "Happy birthday")
    css(driver, "input[name=when][value=schedule]").click()
    driver.execute_script(
        "document.querySelector('input[name=date_scheduled]').value = '2099-01-01T10:30'"
    )
    css(driver, "#composer button[type=submit]").click()
    wait_for(lambda: css(driver, "[data-sms-id]").get_attribute("data-status") == "scheduled")
    assert "scheduled for 2099-01-01" in css(driver, "[data-sms-id] .meta").text
    css(driver, "[data-sms-id] [data-cancel]").click()
    wait_for(lambda: css(driver, "[data-sms-id]").get_attribute("data-status") == "draft")
    compose(driver, "On second thoughts")
    send_in = css(driver, "input[name=send_in]")
    send_in.clear()
    send_in.send_keys("30")  # typing the delay picks "send in"
    css(driver, "#composer button[type=submit]").click()
    outbox = wait_for(
        lambda: [
            e
            for e in all_css(driver, "[data-sms-id]")
            if e.get_attribute("data-status") == "outbox"
        ]
    )[0]
    sms_id = outbox.get_attribute("data-sms-id")
    css(driver, f"[data-sms-id='{sms_id}'] [data-cancel]").click()
    wait_for(
        lambda: css(driver, f"[data-sms-id='{sms_id}']").get_attribute("data-status") == "draft"
    )
    status, sms = lab.run(lab.harness.request(key, "GET", f"/api/v1/activity/sms/{sms_id}/"))
    assert status == 200
    assert sms["status"] == "draft"


def test_usage_whitelist_and_ops_pages(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    driver.get(f"{lab.url}/ui/usage")
    assert css(driver, "svg.chart") and css(driver, "table[data-usage] tr[data-country=US]")
    href = css(driver, "[data-csv]").get_attribute("href")
    csv = driver.execute_script("const r = await fetch(arguments[0]); return await r.text()", href)
    assert csv.startswith("country,") and "\r\nUS," in csv
    driver.get(f"{lab.url}/ui/whitelist")
    css(driver, "#wl-website").send_keys("https://bluth.example")
    css(driver, "#wl-examples").send_keys("Your banana stand order is ready")
    css(driver, "input[name=opted_in][value=yes]").click()
    css(driver, "#wl-relationship").send_keys("Customers who signed up via our webform")
    css(driver, "#wl-relationship").submit()
    wait_for(lambda: css(driver, "[data-whitelist-id]"))
    driver.get(f"{lab.url}/ui/ops")
    assert css(driver, "[data-breaker]").get_attribute("data-breaker") == "closed"
    assert css(driver, "[data-reason=landline]")


UNLABELLED = """
return Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(e => e.type !== 'hidden' && e.type !== 'submit')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id || e.outerHTML.slice(0, 60));
"""


def test_every_page_fits_a_phone_and_every_field_is_labelled_and_reachable(
    browser: Any, lab: Lab, key: str, number: dict[str, Any]
) -> None:
    driver = browser
    sign_in(driver, lab, key)
    lead = add_lead(driver, lab, "Phone width", "+12125550152")
    driver.set_window_size(390, 844)  # a phone held upright
    try:
        for path in (
            f"/ui/leads/{lead}",
            "/ui/leads?query=has:sms_messages",
            "/ui/inbox",
            "/ui/numbers",
            "/ui/usage",
            "/ui/whitelist",
            "/ui/ops",
        ):
            driver.get(f"{lab.url}{path}")
            wide = driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert wide[0] <= wide[1] + 1, (path, wide)  # no sideways scrolling
            assert driver.execute_script(UNLABELLED) == [], path
        driver.get(f"{lab.url}/ui/leads/{lead}")
        from selenium.webdriver.common.keys import Keys

        body = css(driver, "body")
        for _ in range(40):  # Tab from the top reaches the composer's text box
            body.send_keys(Keys.TAB)
            focused = driver.switch_to.active_element
            if focused.get_attribute("name") == "text":
                break
            body = focused
        else:
            raise AssertionError("the composer's text box is not reachable with Tab")
        focused.send_keys("typed by keyboard")
        assert css(driver, "[data-chars]").text.strip().startswith("17")
    finally:
        driver.set_window_size(1280, 900)
