"""The learner's session in JupyterLab, driven in a real browser (headless Chromium, Playwright).

The exercise edition, with every function written but ``model_inputs``, is opened in JupyterLab
with its default settings: Run All stops at the blank function's check, the function is written in
its cell and checked, a short training is stopped with the stop button and run again, and the
notebook is exported with "Save and Export Notebook As > HTML". The test asserts what the page
shows the learner at each step, and what the export holds. Its kernel has ipykernel's defaults
(what the process writes to its standard error is forwarded into the cell), so this is also where
no cell, the setup cell with TensorFlow's start-up included, is shown a library's log line.

Needs Debian's ``chromium`` (``apt install chromium``); ``.ci/run`` installs it. Without it the
test is skipped, except under CI, where it fails. Run it alone with
``.venv/bin/python -m pytest tests/test_jupyterlab.py``.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from helpers.archives import digits, gzip_bytes, idx_images, idx_labels
from helpers.notebooks import serving, shortened

import student_edition
from harness import project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# What TensorFlow, absl and CUDA print (their log lines start "I0000 00:00:17..." or "E0000 ..."): none
# of it may reach a cell.
LIBRARY_NOISE = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cuda drivers|cuInit|^[IWEF]\d{4} \d\d:", re.M
)
# Enough digits for a stop to land while the network trains (batch_size 16: 300 batches).
TRAINING_DIGITS = 4800
TOKEN = "learner"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser test: install Debian's chromium (.ci/run does).")
        pytest.skip("no chromium on this machine: apt install chromium")
    from playwright.sync_api import sync_playwright  # Imported here: only this test needs it.

    with sync_playwright() as playwright:
        # Playwright's own browser download is not needed: Debian's chromium, headless.
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        yield launched
        launched.close()


def exercise_with_one_function_left(tmp_path, httpserver) -> nbformat.NotebookNode:
    """The exercise edition as a learner has it just before writing model_inputs; data from 127.0.0.1."""
    solution = nbformat.read(project.NOTEBOOK, as_version=4)
    exercise = student_edition.student_edition(solution)
    for written, blank in zip(solution.cells, exercise.cells, strict=True):
        if "exercise" in project.tags(blank) and "def model_inputs(" not in blank.source:
            blank.source = written.source
    train, train_labels = digits(TRAINING_DIGITS, 0)
    test, test_labels = digits(100, 1)
    archives = {
        "mnist": idx_images(train),
        "mnist-train-labels": idx_labels(train_labels),
        "mnist-test-images": idx_images(test),
        "mnist-test-labels": idx_labels(test_labels),
    }
    setup = [serving(httpserver, name, gzip_bytes(data, level=1)) for name, data in archives.items()]
    return shortened(tmp_path, setup, exercise, celeba_epochs=0)


@pytest.fixture
def page(browser, tmp_path):
    """A browser tab; its last screen and text are kept beside the test's files, for a failure."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    tab.screenshot(path=str(tmp_path / "last-screen.png"), full_page=False)
    (tmp_path / "last-page.txt").write_text(tab.locator("body").inner_text())
    context.close()


@pytest.fixture
def lab(tmp_path, httpserver):
    """A JupyterLab server, as the learner starts it, on a folder holding the exercise edition."""
    root = tmp_path / "project"
    root.mkdir()
    nbformat.write(exercise_with_one_function_left(tmp_path, httpserver), root / "dlnd_face_generation.ipynb")
    settings = tmp_path / "settings"
    # Every cell in the page at once (JupyterLab otherwise renders only those on screen), no news.
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # ipykernel's defaults: no PYTEST_CURRENT_TEST, which turns its output forwarding off.
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}
    env.update(
        PYTHONPATH=str(project.PROJECT),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root.
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, server, tmp_path / "server.log")
        yield url, root
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_server(url, server, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within 2 minutes:\n{log.read_text()[-3000:]}")


# The page as the learner sees it.


def cell(page, text: str):
    """The notebook cell whose code holds ``text``."""
    return page.locator(".jp-Notebook .jp-CodeCell").filter(has=page.locator(".cm-content", has_text=text))


def output_of(page, text: str) -> str:
    return cell(page, text).locator(".jp-OutputArea").inner_text()


def error_lines(page, text: str) -> list[str]:
    """The lines of the error shown under a cell: its last output."""
    shown = (
        cell(page, text)
        .locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        .last
    )
    return [line for line in shown.inner_text().splitlines() if line.strip()]


def menu(page, *path: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{path[0]}$")).click()
    for label in path[1:]:
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")).click()


def wait_for_text(page, text: str, inside: str, timeout_s: float) -> None:
    """Waits until the output of the cell holding ``inside`` shows ``text``."""
    cell(page, inside).locator(".jp-OutputArea", has_text=text).wait_for(timeout=timeout_s * 1000)


def all_outputs(page) -> str:
    return "\n".join(page.locator(".jp-Notebook .jp-OutputArea").all_inner_texts())


def prompt(page, text: str):
    return cell(page, text).locator(".jp-InputArea-prompt")


@pytest.mark.slow
def test_a_learner_writes_checks_trains_stops_resumes_and_exports(lab, page, tmp_path):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    url, _ = lab
    page.goto(f"{url}/lab/tree/dlnd_face_generation.ipynb?token={TOKEN}")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=120_000)
    page.locator("#jp-main-statusbar", has_text="| Idle").wait_for(timeout=120_000)  # The kernel is up.

    # Run All stops at the first check, of the function still to write; its failure is short.
    menu(page, "Run", "Run All Cells")
    check = "problem_unittests.test_model_inputs(model_inputs)"
    wait_for_text(page, "is not written yet", inside=check, timeout_s=300)
    failure = error_lines(page, check)
    assert len(failure) <= 3, failure
    assert failure[0].startswith("NotWrittenYet: ") and "model_inputs is not written yet" in failure[0]
    assert "%tb" in failure[-1]
    # The cells queued after it are let go, not run: Run All stopped there.
    expect(prompt(page, "problem_unittests.test_discriminator(")).to_have_text("[ ]:", timeout=30_000)

    # The learner writes model_inputs in its cell, runs it and its check.
    solution = nbformat.read(project.NOTEBOOK, as_version=4)
    written = next(
        c.source for c in solution.cells if "def model_inputs(" in c.source and c.cell_type == "code"
    )
    cell(page, "def model_inputs(").locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(written)  # As pasted: no auto-indent, no auto-closed brackets.
    page.keyboard.press("Shift+Enter")
    prompt(page, check).click()
    page.keyboard.press("Shift+Enter")
    wait_for_text(page, "Tests Passed", inside=check, timeout_s=120)

    # Then runs the rest; the stop button lands while the digits train.
    menu(page, "Run", "Run Selected Cell and All Below")
    training = 'mnist_run = new_run("mnist"'
    wait_for_text(page, "D loss", inside=training, timeout_s=600)  # Its first losses: mid-epoch.
    page.locator("[data-jp-item-name='interrupt']").click()
    wait_for_text(page, "KeyboardInterrupt", inside=training, timeout_s=120)
    stopped = error_lines(page, training)
    said = output_of(page, training)
    step = re.search(
        r"mnist: stopped at step (\d+); saved a checkpoint\. Run the cell again to resume\.", said
    )
    assert step, said
    assert len(stopped) <= 3 and "Traceback" not in said, stopped

    # Once the kernel is idle again (the cells queued below are let go), run again: it resumes from
    # that step, and everything below runs.
    expect(page.locator(".jp-InputArea-prompt", has_text="[*]")).to_have_count(0, timeout=60_000)
    page.locator("#jp-main-statusbar", has_text="| Idle").wait_for(timeout=60_000)
    prompt(page, training).click()
    menu(page, "Run", "Run Selected Cell and All Below")
    wait_for_text(page, f"Resumed mnist from step {step.group(1)}", inside=training, timeout_s=120)
    review = "self_review.show("
    cell(page, review).locator(".jp-OutputArea-output").first.wait_for(timeout=600_000)
    shown = all_outputs(page)
    assert LIBRARY_NOISE.findall(shown) == []
    assert "Traceback" not in shown

    # "Save and Export Notebook As > HTML" saves the notebook, then opens the server's export in a new
    # tab, which downloads it. Headless Chromium does not open that tab for the menu, so the test saves
    # and opens the same address in a tab of its own.
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=60_000)
    tab = page.context.new_page()
    # "Download is starting" is the error goto gives for a page that is a download.
    with tab.expect_download(timeout=300_000) as download, contextlib.suppress(PlaywrightError):
        tab.goto(f"{url}/nbconvert/html/dlnd_face_generation.ipynb?download=true&token={TOKEN}")
    report = tmp_path / "report.html"
    download.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert report.stat().st_size < 4e6
    assert "data:image/webp;base64," in html, "the film of training"
    assert "FD " in html and "rarest digit" in html, "the quality figures"
    assert LIBRARY_NOISE.findall(html) == [] and "Traceback" not in html
