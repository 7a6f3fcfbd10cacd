"""The console in a real Chromium: Debian's chromium and chromedriver, driven by Selenium,
against a real gateway and simulator served from a thread of their own (the browser is
synchronous; the servers keep running between tests, so one browser serves a whole module).

Nothing is downloaded: the driver and the browser are passed by path (Selenium Manager is
told to stay offline). Without Chromium the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from simulator.scenario.carrier_model import Scenario
from tests.gateway.harness import Harness

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]
# where screenshots go: a temporary folder, or SMSLAB_SCREENSHOTS (docs/img to refresh the
# README's)
SHOTS = Path(os.environ.get("SMSLAB_SCREENSHOTS") or tempfile.mkdtemp(prefix="console-shots-"))


def require_chromium() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        why = (
            f"Chromium is not installed ({', '.join(missing)} missing): apt-get install"
            " chromium chromium-driver"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


class Lab:
    """Simulator and gateway on an event loop in another thread."""

    def __init__(self, scenario: Scenario | None) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.tmp = Path(tempfile.mkdtemp(prefix="console-lab-"))
        self.harness: Harness = self.run(Harness.start(self.tmp, scenario))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def url(self) -> str:
        return self.harness.url

    def close(self) -> None:
        self.run(self.harness.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()  # else its self-pipe is left to the GC: a ResourceWarning elsewhere
        shutil.rmtree(self.tmp, ignore_errors=True)


def lab_fixture(scenario: Scenario | None) -> Callable[[], Iterator[Lab]]:
    def lab() -> Iterator[Lab]:
        require_chromium()
        served = Lab(scenario)
        yield served
        served.close()

    return lab


def start_browser() -> Any:
    require_chromium()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never fetch a driver or browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    driver.profile_dir = profile
    return driver


def stop_browser(driver: Any) -> None:
    profile = driver.profile_dir
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver: Any, name: str) -> Path:
    """A PNG of the whole page (its full height, as a person scrolls it), 1280 wide."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": 1280,
            "height": min(max(height, 600), 2400),
            "deviceScaleFactor": 1,
            "mobile": False,
        },
    )
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path
