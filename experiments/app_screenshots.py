"""Screenshots of the classroom app for the docs: docs/figures/app/*.png (README, docs/app.md).

Serves ``govsim app``, opens it in Debian's Chromium at a projector's size (1280 x 720) and saves
each view as a class sees it: the start, the run with a lever on, the levers, a country and the
forums, the side-by-side mode with its difference chart, and the lessons.

    python experiments/app_screenshots.py [--quarters 20]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from govsim.app.server import CHROMIUM, running

OUT = Path(__file__).resolve().parents[1] / "docs" / "figures" / "app"
PROJECTOR = {"width": 1280, "height": 720}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def shoot(page, name: str) -> Path:
    """Save the visible page as docs/figures/app/<name>.png."""
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def steps(page, quarters: int) -> None:
    """Click Step ``quarters`` times, each time waiting for the period to move on."""
    period = page.locator(".govsim-period")
    for _ in range(quarters):
        shown = period.inner_text()
        page.get_by_role("button", name="Step").click()
        expect(period).not_to_have_text(shown)


def tab(page, name: str, anchor: str) -> None:
    """Open the tab ``name`` and scroll its ``anchor`` element to the top of the window."""
    page.get_by_role("tab", name=name).click()
    page.locator(anchor).first.wait_for()
    page.locator(anchor).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)


def main() -> None:
    """Save each view: the start, after ``--quarters`` steps with a lever on, the levers, a country
    and the forums, the side-by-side mode and the lessons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=20)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running(Path(tmp) / "server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=PROJECTOR)
        page.goto(url)
        expect(page.locator(".govsim-period")).to_have_text("2022Q4", timeout=60_000)
        print(shoot(page, "start"))
        steps(page, 8)
        page.locator(".govsim-switch-export_controls-a label").click()
        steps(page, args.quarters - 8)
        print(shoot(page, "stepped"))
        tab(page, "Levers", ".govsim-in-force-a")
        print(shoot(page, "levers"))
        tab(page, "Countries and forums", ".v-window-item--active")
        page.get_by_label("Inspect a country (type a name)").fill("India")
        page.get_by_role("option", name="India", exact=True).click()
        page.locator(".govsim-country-chart").wait_for()
        page.locator(".v-window-item--active").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        print(shoot(page, "countries"))
        page.locator(".govsim-period").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.locator(".govsim-ab label").click()
        page.locator(".govsim-map-b").wait_for(timeout=60_000)
        page.get_by_role("tab", name="Levers").click()
        page.get_by_role("button", name="world B").click()
        page.locator(".govsim-switch-export_controls-b label").click()
        steps(page, args.quarters)
        page.locator(".govsim-period").evaluate("e => e.scrollIntoView({block: 'start'})")
        print(shoot(page, "side_by_side"))
        page.locator(".govsim-difference").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        print(shoot(page, "difference"))
        tab(page, "Lessons (teacher)", ".v-window-item--active")
        print(shoot(page, "lessons"))
        browser.close()


if __name__ == "__main__":
    main()
