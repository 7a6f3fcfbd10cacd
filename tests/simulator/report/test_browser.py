"""The report in a real headless Chromium (Debian's `chromium` and `chromium-driver`, never a
downloaded browser), opened from disk with every host unresolvable: no console error, no
network request, every chart drawn, the timeline's event markers there; a screenshot saved.

The report is of a real run of scenarios/unsupported_country.yaml (a timeline event and
failures by country), or of the run's JSON named by SMSLAB_REPORT_JSON; the screenshot goes
to tmp_path, and also to SMSLAB_REPORT_SCREENSHOT when set (README's docs/img/report.png
was made so). Without Chromium the test is skipped, except under CI=true, where .ci/run has
installed it and a skip would hide a broken set-up.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
LIBRARY = Path(__file__).resolve().parents[3] / "scenarios"


def _browser(profile: Path) -> Any:
    if not (CHROMIUM.exists() and DRIVER.exists()):
        why = f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {DRIVER})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}: .ci/run installs them")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,2200",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # the driver named: Selenium Manager has nothing to look for, so it downloads nothing
    return webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))


def _report(tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    given = os.environ.get("SMSLAB_REPORT_JSON")
    if given:
        assert main(["report", given, "--html", str(page)]) == 0
    else:
        run = tmp_path / "run.json"
        main(
            [
                "run",
                str(LIBRARY / "unsupported_country.yaml"),
                "--json",
                str(run),
                "--html",
                str(page),
            ]
        )
        assert json.loads(run.read_text())["scenarios"][0]["events"]
    return page


def test_the_report_opens_from_disk_fetches_nothing_and_draws_every_chart(tmp_path: Path) -> None:
    page = _report(tmp_path)
    driver = _browser(tmp_path / "profile")
    try:
        driver.get(page.as_uri())
        charts = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg.chart')).map(function (s) {"
            " var box = s.getBoundingClientRect();"
            " return [s.childElementCount, box.width, box.height]; });"
        )
        markers = driver.execute_script(
            "return document.querySelectorAll('svg.timeline .event-marker').length;"
        )
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"
        )
        shown = driver.execute_script(
            "var box = document.querySelector('.filters'); var s = box.querySelector('select');"
            "s.value = s.options[s.options.length - 1].value;"
            "s.dispatchEvent(new Event('change', {bubbles: true}));"
            "return box.querySelector('.shown').textContent;"
        )
        driver.execute_script(
            "var s = document.querySelector('.filters select'); s.value = '';"
            "s.dispatchEvent(new Event('change', {bubbles: true}));"
        )
        driver.save_screenshot(str(tmp_path / "report.png"))
        console = driver.get_log("browser")
        requests = [
            json.loads(entry["message"])["message"] for entry in driver.get_log("performance")
        ]
    finally:
        driver.quit()
    assert not [e for e in console if e["level"] in ("SEVERE", "ERROR")], console
    fetched = [
        m["params"]["request"]["url"]
        for m in requests
        if m.get("method") == "Network.requestWillBeSent"
    ]
    # chrome:// is the browser's own start page, loaded before ours
    network = [url for url in fetched if not url.startswith(("file://", "data:", "chrome://"))]
    assert network == [], network
    assert page.as_uri() in fetched and resources == []  # the log saw the page itself
    assert len(charts) >= 5
    assert all(children > 0 and width > 0 and height > 0 for children, width, height in charts)
    assert markers >= 1
    assert " of " in shown and not shown.startswith("0 of")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    if os.environ.get("SMSLAB_REPORT_SCREENSHOT"):
        shutil.copy(tmp_path / "report.png", os.environ["SMSLAB_REPORT_SCREENSHOT"])
