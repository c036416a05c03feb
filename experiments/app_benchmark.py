"""Benchmark of the classroom app in a real browser (issue 13, item 8): not a timed test.

Starts ``govsim app`` on a free port, drives Debian's Chromium with Playwright and prints:
- page load: from navigation to the first period shown with both pictures (cold: the server's
  first session; warm: a second one);
- step round trip: click Step -> the period, the map and the headline chart all updated in the
  page (median and 90th percentile over ``--steps`` clicks);
- play rate: quarters shown per second while playing, at the default speed (4 quarters/s) and
  "as fast as possible";
- the server's share of a step: one quarter simulated and both pictures made, in process.

    python experiments/app_benchmark.py [--steps 20] [--seconds 6]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from govsim.app.server import CHROMIUM, running

START = "2022Q4"  # the period shown before the first step
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
SHOWN = """() => document.querySelector('.govsim-period') && document.querySelector('.govsim-map')?.src
                 && document.querySelector('.govsim-headlines')?.src"""


def load_time(page, url: str) -> float:
    """Seconds from navigation until the period and both pictures are on the page."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(SHOWN, timeout=60_000, polling="raf")
    return time.perf_counter() - started


# Timed inside the page, from the click to the first animation frame at which the period, the map and
# the chart have all changed: what a student sees, without Playwright's own checks around a click.
CLICK_TO_SHOWN = """() => new Promise(resolve => {
    const period = document.querySelector('.govsim-period').innerText;
    const map = document.querySelector('.govsim-map').src, chart = document.querySelector('.govsim-headlines').src;
    const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');
    const started = performance.now();
    const check = () => (document.querySelector('.govsim-period').innerText !== period
        && document.querySelector('.govsim-map').src !== map && document.querySelector('.govsim-headlines').src !== chart)
        ? resolve(performance.now() - started) : requestAnimationFrame(check);
    button.click();
    requestAnimationFrame(check);
})"""


def step_times(page, steps: int) -> list[float]:
    """Seconds from a Step click until the period, the map and the chart have all changed on screen."""
    times = []
    for _ in range(steps):
        times.append(page.evaluate(CLICK_TO_SHOWN) / 1000)
        time.sleep(0.2)  # a student's next click
    return times


def _quarters(page) -> int:
    """The number of quarters since the year 0 of the period shown (to count quarters played)."""
    year, quarter = page.locator(".govsim-period").inner_text().split("Q")
    return int(year) * 4 + int(quarter)


def play_rate(page, seconds: float, speed: str | None = None) -> float:
    """Quarters shown per second while playing (after a 1 s warm-up), at ``speed`` if given."""
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".govsim-period")).to_have_text(START)
    if speed:
        page.locator(".v-select", has_text="Speed").click()
        page.get_by_role("option", name=speed).click()
    page.get_by_role("button", name="Play").click()
    expect(page.locator(".govsim-period")).not_to_have_text(START)
    time.sleep(1.0)
    first, started = _quarters(page), time.perf_counter()
    time.sleep(seconds)
    played = _quarters(page) - first
    elapsed = time.perf_counter() - started
    pause = page.get_by_role("button", name="Pause")
    if pause.count():  # not there if the run reached its end (52 quarters) while playing
        pause.click()
    return played / elapsed


def server_step_times(steps: int) -> list[float]:
    """Seconds per step on the server alone: one quarter simulated, then both pictures made (in process)."""
    from govsim.app.live import Live

    live = Live("baseline", 0)
    live.render()
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        live.step()
        live.render()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Run the measurements once and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running(Path(tmp) / "server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        cold = load_time(page, url)
        warm = load_time(browser.new_page(viewport={"width": 1400, "height": 900}), url)
        times = step_times(page, args.steps)
        default_rate = play_rate(page, args.seconds)
        fastest = play_rate(page, min(args.seconds, 4.0), "as fast as possible")
        browser.close()
    server = statistics.median(server_step_times(args.steps)) * 1000
    ms = sorted(t * 1000 for t in times)
    print(f"page load: {cold:.2f} s (first session), {warm:.2f} s (second)")
    print(f"step round trip over {len(ms)} clicks: median {statistics.median(ms):.0f} ms, "
          f"90th percentile {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms")
    print(f"server alone (step + both pictures): median {server:.0f} ms")
    print(f"play: {default_rate:.1f} quarters/s at the default speed, {fastest:.1f} quarters/s as fast as possible")


if __name__ == "__main__":
    main()
