"""Screenshots of the classroom app for the docs: docs/figures/app/*.png (README, docs/app.md).

Serves ``govsim app``, opens it in Debian's Chromium at a projector's size (1280 x 720) and saves
the page at the start and after some quarters of play, so the README shows what a class sees.

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


def main() -> None:
    """Save the start and the page after ``--quarters`` steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=20)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running(Path(tmp) / "server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=PROJECTOR)
        page.goto(url)
        period = page.locator(".govsim-period")
        expect(period).to_have_text("2022Q4", timeout=60_000)
        print(shoot(page, "start"))
        start = period.inner_text()
        for _ in range(args.quarters):
            shown = period.inner_text()
            page.get_by_role("button", name="Step").click()
            expect(period).not_to_have_text(shown)
        print(f"{start} -> {period.inner_text()}: {shoot(page, 'stepped')}")
        browser.close()


if __name__ == "__main__":
    main()
