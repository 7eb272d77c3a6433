"""The app in a real browser: ``streamlit run app.py`` headless on a free localhost port, driven
through Chromium (Debian's package) by Playwright: load a scenario, simulate, optimise, run a
drill, build the executive view, plan the capacity year, forecast the bundled history, list
the kept runs. Each step must draw its charts and show no
error box; a screenshot of every page goes to ``$WFM_SCREENSHOTS`` (default
``out/screenshots``).

Where Chromium or Playwright cannot be had, the test is skipped with a loud reason (``make
test`` installs Chromium when it can and prints skip reasons), never passed silently.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("WFM_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("WFM_SCREENSHOTS", REPO / "out" / "screenshots"))
# Flags for a root user on a machine without network: no sandbox, no background traffic.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# `make screenshots` (WFM_APP_DEFAULTS=1) keeps the Optimise page's defaults, so that the
# README's screenshot shows the plan a planner gets, verified as the CLI's would be: minutes of
# work, too long for the test suite, which optimises with quick settings.
APP_DEFAULTS = os.environ.get("WFM_APP_DEFAULTS") == "1"
RUN_TIMEOUT_MS = 1_800_000 if APP_DEFAULTS else 240_000

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

pytestmark = pytest.mark.skipif(
    sync_playwright is None or not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)),
    reason=f"NO BROWSER TEST: Chromium not found at {CHROMIUM} (apt-get install chromium) or "
    "playwright missing; the app was NOT checked in a browser",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER_OUTPUT: list[str] = []  # what the last server started has printed


@contextmanager
def _serving(store: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The app served by ``streamlit run`` on a free port, keeping its runs in `store` (its
    own: the tests' store is another process's); its address and process."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "WFM_STORE": str(store)},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    output = SERVER_OUTPUT
    output.clear()
    announced = threading.Event()
    reader = threading.Thread(
        target=_read_output, args=(process, f"127.0.0.1:{port}", output, announced), daemon=True
    )
    reader.start()
    try:
        if not announced.wait(timeout=60) or not _healthy(url):
            pytest.fail(f"streamlit run did not start: {''.join(output)[-2000:]}")
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serving(tmp_path_factory.mktemp("app_store") / "runs.duckdb") as (url, _process):
        yield url


@contextmanager
def _telling_what_the_server_said() -> Iterator[None]:
    """A failure's message with the end of the server's output (a stuck run shows there)."""
    try:
        yield
    except Exception as err:
        said = "".join(SERVER_OUTPUT)[-4000:]
        raise AssertionError(f"{err}\n--- the server printed:\n{said}") from err


def _read_output(
    process: subprocess.Popen[str], address: str, output: list[str], announced: threading.Event
) -> None:
    """Keep the server's output (for a failure message; unread, a full pipe would stall the
    server) and set `announced` when it prints its address, which streamlit does once it
    listens, or when the output ends because the server stopped."""
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if address in line:
            announced.set()
    announced.set()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # One Playwright per module: a second one in the same process refuses to start.
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser: Browser, url: str) -> Page:
    tab = browser.new_page(viewport={"width": 1400, "height": 1800})
    tab.goto(url)
    tab.wait_for_selector("h1, h2", timeout=60_000)
    return tab


@pytest.fixture(scope="module")
def page(browser: Browser, server: str) -> Iterator[Page]:
    tab = _open(browser, server)
    yield tab
    tab.close()


def _settle(page: Page) -> None:
    """Wait until the app has finished running its script."""
    # A click or a key starts a rerun a moment later, and nothing on the page counts the runs:
    # "this action's rerun has begun" cannot be named (a quick rerun may begin and end between
    # two looks at the status widget), so the rerun is given this long to begin.
    page.wait_for_timeout(500)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached",
                           timeout=RUN_TIMEOUT_MS)  # fmt: skip
    # The finished run's page replaces the last one's: nothing left over from it.
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=60_000)


def _no_error(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, "a traceback is shown"
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()


def _go(page: Page, name: str) -> None:
    page.locator('[data-testid="stSidebar"] label').filter(has_text=name).first.click()
    _settle(page)
    page.get_by_role("heading", name=name).first.wait_for(timeout=60_000)


def _load(page: Page, scenario: str) -> None:
    _go(page, "Scenario")
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=scenario, exact=True).click()
    _settle(page)
    page.get_by_role("button", name="Load", exact=True).click()
    _settle(page)
    page.get_by_text(f"Editing: {scenario}").wait_for(timeout=60_000)


def _number(page: Page, label: str, value: float) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    _settle(page)


def _charts(page: Page, at_least: int) -> None:
    images = page.locator('[data-testid="stImage"] img, [data-testid="stFullScreenFrame"] img')
    images.nth(at_least - 1).wait_for(timeout=RUN_TIMEOUT_MS)
    for k in range(images.count()):
        assert images.nth(k).evaluate("i => i.complete && i.naturalWidth > 0"), "a chart is blank"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _cells(page: Page, table: int) -> list[str]:
    """The texts of a table's cells (the grid's accessible copy of its canvas)."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table)
    # The grid draws its cells after the page settles; on a loaded machine, well after.
    grid.locator('[role="gridcell"]').first.wait_for(state="attached", timeout=60_000)
    return grid.locator('[role="gridcell"]').all_inner_texts()


def _cell_shows(page: Page, table: int, text: str) -> bool:
    """Whether a cell of a table shows `text` within a minute: the rerun a button starts may
    begin after `_settle` has looked (it did on a loaded CI machine), so the old grid is read
    until the new one is drawn."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table)
    cell = grid.locator('[role="gridcell"]').filter(has_text=text).first
    try:
        cell.wait_for(state="attached", timeout=60_000)
    except PlaywrightTimeout:
        return False
    return True


def _edit_cell(page: Page, table: int, row: int, column: int, text: str) -> None:
    """Type `text` into a cell of an editable table (0-based row and column), by keyboard."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 * (row + 1) + 17)  # under the header row
    expect(grid.get_by_test_id("data-grid-canvas")).to_be_focused()
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator(".gdg-input")  # the cell's editor, loaded when first opened
    expect(editor).to_be_focused(timeout=60_000)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    expect(editor).to_have_value(text)
    # The number editor (react-number-format) hands the typed value on to the grid a moment
    # after the box shows it, and nothing on the page tells when: Enter before then commits
    # the old value (2 runs in 6 without this wait; none in 12 with it).
    page.wait_for_timeout(500)
    page.keyboard.press("Enter")
    _settle(page)


def _yaml_bomb() -> str:
    """Ten levels of ten aliases each: 10^10 nodes once expanded, 11 lines on disk."""
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join([*lines, "name: *l9", ""])


@pytest.mark.slow
def test_the_app_in_a_browser(page: Page, tmp_path: Path):
    with _telling_what_the_server_said():
        _load(page, "single_queue.yaml")
        _no_error(page)
        assert _cells(page, 0)[:3] == ["general", "voice", "1"]  # contact types: factor 1
        assert "100800" in _cells(page, 3)  # the review: weekly volume
        _edit_cell(page, 0, 0, 2, "1.2")
        assert _cells(page, 0)[:3] == ["general", "voice", "1.2"]
        page.get_by_role("button", name="Apply the edits").click()
        _settle(page)
        _no_error(page)
        assert _cell_shows(page, 3, "120960"), "the edited volume reached the scenario"
        _shot(page, "scenario")
        bad = tmp_path / "bad.yaml"
        bad.write_text("name: bad\nhorizon: {days: many, interval_min: 30}\n", encoding="utf-8")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
        _settle(page)
        page.get_by_role("button", name="Use the upload").click()
        _settle(page)
        page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=60_000)
        errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
        assert len(errors) == 1 and errors[0].startswith("bad.yaml: "), errors
        assert "\n" not in errors[0].strip(), "one line"
        # A YAML bomb (a billion nodes through aliases): one line, and the app goes on serving
        # (every step below uses it).
        bomb = tmp_path / "bomb.yaml"
        bomb.write_text(_yaml_bomb(), encoding="utf-8")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bomb))
        _settle(page)
        page.get_by_role("button", name="Use the upload").click()
        _settle(page)
        alerts = page.locator('[data-testid="stAlertContentError"]')
        alerts.filter(has_text="bomb.yaml: ").first.wait_for(timeout=60_000)
        # bad.yaml, uploaded above, is still the scenario being edited: its own error stays too.
        refused = [e for e in alerts.all_inner_texts() if e.startswith("bomb.yaml: ")]
        assert len(refused) == 1 and "\n" not in refused[0].strip(), refused

        _load(page, "single_queue.yaml")

        _go(page, "Simulate")
        _number(page, "Replications", 3)
        page.get_by_role("button", name="Run the simulation").click()
        _settle(page)
        _charts(page, 4)
        assert page.locator('[data-testid="stMetric"]').count() >= 1
        _no_error(page)
        _shot(page, "simulate")

        _load(page, "shifts.yaml")
        _go(page, "Optimise")
        if not APP_DEFAULTS:
            _number(page, "Replications a check starts with", 2)
            _number(page, "Solver seconds per schedule", 5)
            _number(page, "Rounds at most", 3)
        page.get_by_role("button", name="Find the cheapest plan").click()
        _settle(page)
        _charts(page, 2)
        _no_error(page)
        if APP_DEFAULTS:
            verdict = page.locator('[data-testid="stMetric"]').filter(has_text="Targets (verified)")
            assert verdict.locator('[data-testid="stMetricValue"]').inner_text() == "all met"
        _shot(page, "optimise")

        _load(page, "drills/network_fault.yaml")
        _go(page, "Drill")
        _number(page, "Replications", 2)
        page.get_by_role("button", name="Run the drill").click()
        _settle(page)
        _charts(page, 2)
        _no_error(page)
        _shot(page, "drill")

        _go(page, "Executive")
        page.get_by_role("button", name="Build the executive view").click()
        _settle(page)
        _charts(page, 2)
        _no_error(page)
        assert page.get_by_text("Surge readiness").count() == 1
        _shot(page, "executive")

        _go(page, "Capacity")
        page.get_by_role("button", name="Plan the year").click()
        _settle(page)
        _charts(page, 1)
        _no_error(page)
        assert page.get_by_text("Group-weeks at risk").count() == 1
        _shot(page, "capacity")

        _load(page, "bank_base.yaml")
        _go(page, "Forecast")
        page.get_by_role("button", name="Forecast", exact=True).click()
        _settle(page)
        _charts(page, 1)
        _no_error(page)
        page.get_by_role("button", name="Use the forecast scenario on every page").wait_for(
            timeout=RUN_TIMEOUT_MS
        )
        _shot(page, "forecast")

        _go(page, "Runs")
        assert page.locator('[data-testid="stDataFrame"]').count() >= 2  # the runs, a comparison
        _no_error(page)
        _shot(page, "runs")


def _descendants(pid: int) -> set[int]:
    """The processes started by process `pid`, and theirs, as /proc lists them now."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:  # ended while being read
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent_pid = todo.pop()
        children = [child for child, parent in parents.items() if parent == parent_pid]
        found.update(children)
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_server_stopped_mid_run_exits_and_leaves_no_process(browser: Browser, tmp_path: Path):
    """SIGTERM (what a container or a service manager sends) while a run spreads over worker
    processes: the server exits within ten seconds (not when the run would have ended: 20 s
    later here before the app stopped its jobs) and none of its processes outlives it."""
    with _serving(tmp_path / "runs.duckdb") as (url, process):
        tab = _open(browser, url)
        _load(tab, "single_queue.yaml")
        _go(tab, "Simulate")
        _number(tab, "Replications", 100)  # minutes of work on two cores
        tab.get_by_role("button", name="Run the simulation").click()
        tab.locator('[data-testid="stProgress"]').first.wait_for(timeout=60_000)
        deadline = time.monotonic() + 60
        while len(workers := _descendants(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the fork server, then the pool's processes
        assert len(workers) >= 2, "the run did not start worker processes"
        time.sleep(2)  # the workers are inside their replications
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        took_s = time.monotonic() - started
        tab.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = sorted(pid for pid in workers if _alive(pid))
    assert not left, f"processes outlived the server ({took_s:.1f} s to exit): {left}"
    assert took_s < 10, f"the server took {took_s:.1f} s to exit"
