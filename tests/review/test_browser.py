"""The review app in headless Debian Chromium (Selenium + /usr/bin/chromedriver; nothing is downloaded):
log in, label items by keyboard, see progress change, review with the keyboard too."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from safecorpus.detect.pii.detector import PiiDetector
from safecorpus.review.importers import pii_spans
from safecorpus.review.queues import NewItem, add_items
from tests.review.conftest import PASSWORD, make_user
from tests.review.server import LiveServer

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="Debian chromium and chromium-driver are not installed (scripts/setup-test-system.sh)",
)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="safecorpus-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _login(driver, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _navigate(driver, lambda: driver.find_element(By.ID, "login-submit").click())
    _find(driver, "my-progress")


def _mark(driver) -> None:
    """Tag the current document's window, so that a new document is recognised by the tag's absence."""
    driver.execute_script("window.__safecorpusOld = true;")


def _settle(driver) -> None:
    """Wait until a new document has replaced the tagged one and finished loading. Nothing here holds an
    element reference: while Chromium swaps documents, a reference (even for a staleness check) can fail
    with "node does not belong to the document", so every probe is a script, retried on driver errors."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    probe = "return window.__safecorpusOld !== true && document.readyState === 'complete';"
    WebDriverWait(driver, 30, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(probe)
    )


def _navigate(driver, action) -> None:
    """Run ``action`` (a click or keystrokes that submit a form) and wait for the page it loads."""
    _mark(driver)
    action()
    _settle(driver)


def _find(driver, element_id: str):
    """Look an element up by id, retried while it is missing or the driver hits the document-swap race
    (both are ``WebDriverException``s); a missing element still fails the test after the wait."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, 30, poll_frequency=0.2, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(By.ID, element_id), message=f"no element #{element_id}"
    )


def _keys(driver, *keys: str, navigates: bool = False) -> None:
    """Type keys on the page; with ``navigates``, wait until the page they submit has replaced this one."""
    from selenium.webdriver.common.action_chains import ActionChains

    def press() -> None:
        chain = ActionChains(driver)
        for k in keys:
            chain.send_keys(k)
        chain.perform()

    if navigates:
        _navigate(driver, press)
    else:
        press()


def test_label_by_keyboard_and_see_progress(engine, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    make_user(engine, "ann", "annotator")
    make_user(engine, "rita", "reviewer")
    det = PiiDetector()
    texts = ["一段普通的新闻文本。<b>not bold</b>", "联系电话 13812345678，欢迎来电。", "第三条普通文本。"]
    add_items(
        engine,
        [
            NewItem(
                "source",
                "web",
                f"r{i}",
                t,
                pii_spans=pii_spans(det, t),
                findings=[
                    {
                        "risk": "A.4.6",
                        "layer": "pii",
                        "detector": "pii.cn_phone",
                        "score": 1.0,
                        "start": 5,
                        "end": 16,
                    }
                ]
                if i == 1
                else [],
            )
            for i, t in enumerate(texts)
        ],
        double_share=0,
    )
    with LiveServer(engine) as server:
        _login(browser, server.url, "ann")
        row = browser.find_element(By.ID, "queue-source")
        assert row.find_element(By.CLASS_NAME, "n-open").text == "3"
        _navigate(browser, lambda: browser.find_element(By.ID, "start-source").click())
        # item 1: clean, by keyboard
        assert "<b>not bold</b>" in _find(browser, "item-text").text
        _keys(browser, "c", Keys.ENTER, navigates=True)
        # item 2: A.4.6 by the two-digit chord "4 6"; the phone number is masked
        text = _find(browser, "item-text").text
        assert "13812345678" not in text and "[" in text
        shots = os.environ.get("SAFECORPUS_SCREENSHOT_DIR")
        _keys(browser, "4", "6")
        from selenium.webdriver.support.wait import WebDriverWait

        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "risk-A.4.6").is_selected())
        if shots:
            browser.save_screenshot(str(Path(shots) / "review-item.png"))
        _keys(browser, "n")
        browser.switch_to.active_element.send_keys("phone number of a private person")
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        _keys(browser, Keys.ENTER, navigates=True)
        # item 3: skip with "s"
        _find(browser, "item-text")
        _keys(browser, "s", navigates=True)
        assert _find(browser, "message").text  # nothing left for ann
        browser.get(server.url + "/")
        assert browser.find_element(By.ID, "my-labels").text == "2"
        row = browser.find_element(By.ID, "queue-source")
        assert row.find_element(By.CLASS_NAME, "n-open").text == "1"
        assert row.find_element(By.CLASS_NAME, "n-review").text == "2"
        # the reviewer approves by keyboard, and progress moves on
        browser.delete_all_cookies()
        _login(browser, server.url, "rita")
        _navigate(browser, lambda: browser.find_element(By.ID, "review-source").click())
        assert browser.find_elements(By.CSS_SELECTOR, ".labels li")
        _keys(browser, "c", Keys.ENTER, navigates=True)
        browser.get(server.url + "/")
        assert browser.find_element(By.ID, "queue-source").find_element(By.CLASS_NAME, "n-done").text == "1"
        assert browser.find_element(By.ID, "my-reviews").text == "1"
