"""The classroom app in a real browser: Playwright driving Debian's Chromium (never a downloaded one).

A session-scoped fixture starts ``govsim app`` on a free 127.0.0.1 port and stops it at the end.
Without Chromium the tests skip with the fix on a user's machine, but FAIL in CI (``CI`` set) or
when running as root (``make test`` installs Chromium there), so they can never silently not run.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

import pytest

from govsim.app.server import CHROMIUM, running

pytest.importorskip("playwright", reason="the browser tests need the dev extra: pip install -e '.[dev]'")
from playwright.sync_api import expect  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
START, FIRST = "2022Q4", "2023Q1"  # the period shown at the start and after one step
PERIOD = re.compile(r"^\d{4}Q[1-4]$")


def _require_chromium() -> None:
    """Skip without Chromium on a user's machine; fail in CI or as root, where it must be there."""
    if os.access(CHROMIUM, os.X_OK):
        return
    reason = f"no Chromium at {CHROMIUM}. Fix: apt-get install chromium (or set CHROMIUM=/path/to/chromium)"
    if os.environ.get("CI") or (hasattr(os, "geteuid") and os.geteuid() == 0):
        pytest.fail(f"{reason}; required here (CI is set or running as root, where make test installs it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A projector-sized window."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """``govsim app`` on a free port for the whole session; its URL."""
    with running(tmp_path_factory.mktemp("app") / "server.log") as url:
        yield url


def _open(page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".govsim-period")).to_have_text(START, timeout=30_000)


def _images(page) -> tuple[str, str]:
    """The ``src`` of the map and of the headline chart."""
    return (page.locator(".govsim-map").get_attribute("src"), page.locator(".govsim-headlines").get_attribute("src"))


def test_page_loads_with_no_request_leaving_the_host(page, app_url):
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failures.append(f"{response.status} {response.url}"))
    _open(page, app_url)
    expect(page.locator(".govsim-map")).to_be_visible()
    expect(page.locator(".govsim-headlines")).to_be_visible()
    page.wait_for_load_state("networkidle")
    away = [url for url in requests if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).hostname != "127.0.0.1"]
    assert requests and not away, f"requests left 127.0.0.1: {away[:5]}"
    assert not failures, f"requests failed: {failures[:5]}"


def test_step_advances_the_quarter_and_redraws_the_map_and_headlines(page, app_url):
    _open(page, app_url)
    before = _images(page)
    page.get_by_role("button", name="Step").click()
    expect(page.locator(".govsim-period")).to_have_text(FIRST)
    # each widget's update reaches the page on its own: the period's text may land before the images'
    expect(page.locator(".govsim-map"), "the map image did not change after a step").not_to_have_attribute("src", before[0])
    expect(page.locator(".govsim-headlines"), "the headline chart did not change after a step").not_to_have_attribute("src", before[1])


def test_play_runs_quarters_and_pause_stops_them(page, app_url):
    _open(page, app_url)
    page.get_by_role("button", name="Play").click()
    expect(page.locator(".govsim-period")).not_to_have_text(re.compile(r"^(2022Q4|2023Q[1-3])$"), timeout=15_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    time.sleep(1.0)  # a quarter already being simulated when Pause was clicked is still shown
    paused = page.locator(".govsim-period").inner_text()
    time.sleep(2.0)
    assert PERIOD.match(paused) and page.locator(".govsim-period").inner_text() == paused, "Play went on after Pause"


def test_two_browser_sessions_keep_independent_worlds(browser, app_url):
    first, second = browser.new_context(), browser.new_context()
    try:
        one, two = first.new_page(), second.new_page()
        _open(one, app_url)
        _open(two, app_url)
        one.get_by_role("button", name="Step").click()
        expect(one.locator(".govsim-period")).to_have_text(FIRST)
        two.reload()
        expect(two.locator(".govsim-period")).to_have_text(START, timeout=30_000)
        for _ in range(2):
            two.get_by_role("button", name="Step").click()
        expect(two.locator(".govsim-period")).to_have_text("2023Q2")
        expect(one.locator(".govsim-period")).to_have_text(FIRST)
    finally:
        first.close()
        second.close()


def test_a_bad_seed_says_what_is_wrong_and_a_good_one_brings_the_world_back(page, app_url):
    _open(page, app_url)
    seed = page.locator(".v-input", has_text="Seed").locator("input")
    seed.fill("-1")
    seed.press("Enter")
    expect(page.get_by_text("seed = -1: Input should be greater than or equal to 0")).to_be_visible()
    expect(page.locator(".govsim-map")).to_have_count(0)
    seed.fill("2")
    seed.press("Enter")
    expect(page.locator(".govsim-period")).to_have_text(START)


def test_picking_a_scenario_starts_its_world_and_shows_what_it_is(page, app_url):
    _open(page, app_url)
    page.get_by_role("button", name="Step").click()
    expect(page.locator(".govsim-period")).to_have_text(FIRST)
    page.locator(".v-select", has_text="Scenario").click()
    page.get_by_role("option", name="open_models").click()
    expect(page.locator(".govsim-period")).to_have_text(START)
    expect(page.get_by_text("Baseline plus an open-weights ecosystem from 2025")).to_be_visible()
    expect(page.get_by_text("Sources and assumptions of the scenario 'open_models'")).to_be_visible()


def _step(page, times: int = 1) -> None:
    """Click Step ``times`` times, each time waiting for the period to move on."""
    period = page.locator(".govsim-period")
    for _ in range(times):
        shown = period.inner_text()
        page.get_by_role("button", name="Step").click()
        expect(period).not_to_have_text(shown)


def _switch(page, key: str, which: str = "a") -> None:
    page.locator(f".govsim-switch-{key}-{which} label").click()


def _watch_hosts(page) -> list[str]:
    """The URLs of the page's requests that leave 127.0.0.1 (filled as the page runs)."""
    away = []
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(r.url).hostname != "127.0.0.1" and away.append(r.url))
    return away


def test_a_lever_switched_on_mid_run_moves_the_headlines_off_the_baseline(page, app_url):
    away = _watch_hosts(page)
    _open(page, app_url)
    _step(page, 2)
    delta = page.locator(".govsim-delta-ai_divide")
    expect(delta).to_have_text(re.compile(r"[+-]0\.0000$"))
    _switch(page, "export_controls")
    expect(page.locator(".govsim-in-force-a")).to_contain_text("Export controls on AI chips")
    _step(page, 8)
    expect(delta).not_to_have_text(re.compile(r"[+-]0\.0000$"))
    assert float(delta.inner_text().split()[-1]) > 0, "export controls should widen the AI divide against the baseline"
    _switch(page, "export_controls")
    expect(page.locator(".govsim-in-force-a")).to_have_text("Levers in force: none")
    assert not away, f"requests left 127.0.0.1: {away[:5]}"


def test_the_timeline_scrubs_back_and_step_goes_on_from_the_end(page, app_url):
    _open(page, app_url)
    _step(page, 4)
    expect(page.locator(".govsim-period")).to_have_text("2023Q4")
    before = _images(page)
    slider = page.locator(".govsim-timeline .v-slider")
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the far left: the start
    expect(page.locator(".govsim-period")).to_have_text(START)
    expect(page.locator(".govsim-map"), "the map did not go back with the timeline").not_to_have_attribute("src", before[0])
    _step(page)
    expect(page.locator(".govsim-period")).to_have_text("2024Q1")


def test_side_by_side_shows_a_difference_when_export_controls_are_on_in_b_only(page, app_url):
    away = _watch_hosts(page)
    _open(page, app_url)
    page.locator(".govsim-ab label").click()
    expect(page.locator(".govsim-map-b")).to_be_visible(timeout=30_000)
    diff = page.locator(".govsim-diff-ai_divide")
    expect(diff).to_have_text(re.compile(r"[+-]0\.0000$"))
    page.get_by_role("button", name="world B").click()
    _switch(page, "export_controls", "b")
    expect(page.locator(".govsim-in-force-b")).to_contain_text("Export controls on AI chips")
    _step(page, 8)
    expect(diff).not_to_have_text(re.compile(r"[+-]0\.0000$"))
    assert page.locator(".govsim-difference").get_attribute("src")
    assert not away, f"requests left 127.0.0.1: {away[:5]}"


def test_the_exported_yaml_reproduces_the_run_shown(page, app_url, tmp_path):
    import io
    import zipfile

    import pandas as pd

    import govsim

    away = _watch_hosts(page)
    _open(page, app_url)
    _step(page, 2)
    _switch(page, "export_controls")
    _step(page, 4)
    page.get_by_role("tab", name="Export").click()
    files = {}
    for button in ("Scenario (YAML)", "Tables (CSV zip)"):
        with page.expect_download() as info:
            page.get_by_role("button", name=button).click()
        files[button] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[button])
    shown = pd.read_csv(io.BytesIO(zipfile.ZipFile(files["Tables (CSV zip)"]).read("indices.csv")))
    assert len(shown) == 7 and "lever_export_controls_1" in files["Scenario (YAML)"].read_text()
    again = govsim.run(govsim.load_scenario(files["Scenario (YAML)"])).indices.iloc[:len(shown)]
    for column in ("inclusiveness", "fragmentation", "ai_divide"):
        assert again[column].to_numpy() == pytest.approx(shown[column].to_numpy(), rel=1e-12, abs=1e-15), column
    base = govsim.run("baseline", seed=0, countries=False).indices.iloc[:len(shown)]
    assert abs(again["ai_divide"].iloc[-1] - base["ai_divide"].iloc[-1]) > 1e-6, "the lever is missing from the YAML"
    assert not away, f"requests left 127.0.0.1: {away[:5]}"


def test_a_lesson_sets_up_its_side_by_side_world(page, app_url):
    _open(page, app_url)
    page.get_by_role("tab", name="Lessons (teacher)").click()
    page.locator(".govsim-lesson-" + "walls_and_bridges").get_by_role("button", name="Set up this lesson").click()
    expect(page.locator(".govsim-period")).to_have_text("2024Q4", timeout=30_000)
    expect(page.locator(".govsim-map-b")).to_be_visible()
    page.get_by_role("tab", name="Levers").click()
    page.get_by_role("button", name="world B").click()
    expect(page.locator(".govsim-in-force-b")).to_contain_text("Export controls on AI chips")


def test_the_map_picker_and_the_country_inspector(page, app_url):
    _open(page, app_url)
    _step(page)
    before = page.locator(".govsim-map").get_attribute("src")
    page.locator(".v-select", has_text="Map shows").click()
    page.get_by_role("option", name="Membership status in a forum").click()
    expect(page.locator(".govsim-map")).not_to_have_attribute("src", before)
    page.get_by_role("tab", name="Countries and forums").click()
    page.get_by_label("Inspect a country (type a name)").fill("India")
    page.get_by_role("option", name="India", exact=True).click()
    expect(page.locator(".govsim-country")).to_contain_text("India at the end of 2023Q1")
    expect(page.locator(".govsim-country-chart")).to_be_visible()
    expect(page.get_by_text("BRICS: who is in")).to_be_visible()
