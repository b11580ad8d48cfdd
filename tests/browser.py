"""Headless Debian Chromium through Selenium, for the tests that open a page."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")

browser = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                             reason="Debian chromium and chromium-driver are needed (make test installs them)")


def driver():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,800"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)
