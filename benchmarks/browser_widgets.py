"""The widgets in a real browser: are labels cut, and how long does one update take end to end?

Starts JupyterLab on a throw-away notebook that shows the cell builder (NASNet-A, N=6, C=36,
32x32, as notebook 2 does) and the hierarchical explorer (as notebook 3 does), opens it in
headless Chromium through Selenium, runs it, and then

* measures every visible drop-down: the widest of its options (in the drop-down's own font)
  against the room the drop-down leaves for text, and every label and header for overflow;
* changes drop-downs one after another and times each change until the kernel's new picture is
  on the screen (browser -> kernel -> count and draw -> browser): what a student waits for.

Prints a table and writes ``results/browser_widgets-<machine>.json``.  Needs JupyterLab and
ipywidgets (the ``notebooks`` extra), ``pip install selenium`` and Chromium with its driver
(Debian: ``apt-get install chromium chromium-driver``); it is a check to run by hand, not part
of the test suite, which cannot assume a browser:

    python benchmarks/browser_widgets.py
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import print_table, save

CHECK_NOTEBOOK_CELLS = [
    "from nasedu import zoo\n"
    "from nasedu.spaces import CellSpace, HierarchicalSpace\n"
    "from nasedu.widgets import cell_builder, hierarchical_explorer",
    "builder = cell_builder(CellSpace(), zoo.cell_genotype('NASNet-A'), input_shape=(3, 32, 32),"
    " N=6, C=36)\nbuilder",
    "hierarchical = HierarchicalSpace()\n"
    "hierarchical_explorer(hierarchical, hierarchical.sample(0))",
]
TOKEN = "nasedu-browser-check"

# Every visible drop-down: the widest option text (canvas, in the select's font) against the
# select's inner width less the room of its arrow; and labels whose text overflows their box.
MEASURE_JS = """
const canvas = document.createElement('canvas').getContext('2d');
const cut = [], checked = [];
for (const box of document.querySelectorAll('.widget-dropdown')) {
  const select = box.querySelector('select');
  if (!select || select.offsetParent === null) continue;
  const style = getComputedStyle(select);
  canvas.font = style.font;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  let widest = 0, text = '';
  for (const option of select.options) {
    const w = canvas.measureText(option.text).width;
    if (w > widest) { widest = w; text = option.text; }
  }
  checked.push(text);
  if (widest > room)
    cut.push(`option "${text}": ${widest.toFixed(0)} px in ${room.toFixed(0)} px`);
  const label = box.querySelector('label');
  if (label && label.offsetParent !== null && label.scrollWidth > label.clientWidth + 1)
    cut.push(`drop-down label "${label.textContent}"`);
}
const labels = '.widget-html-content, .widget-label, .lm-TabBar-tabLabel';
for (const el of document.querySelectorAll(labels)) {
  if (el.offsetParent === null || !el.textContent.trim()) continue;
  if (el.scrollWidth > el.clientWidth + 1)
    cut.push(`label "${el.textContent.trim().slice(0, 40)}"`);
}
return {checked: checked.length, cut: cut};
"""

# Change the n-th visible drop-down of the given widget (0: cell builder, 1: explorer) to its
# next option and resolve with the milliseconds until one of that widget's pictures changes.
CHANGE_JS = """
const [which, index, done] = arguments;
const outputs = [...document.querySelectorAll('.jp-OutputArea-output')]
  .filter(o => o.querySelector('.widget-dropdown'));
const root = outputs[which];
const selects = [...root.querySelectorAll('.widget-dropdown select')]
  .filter(s => s.offsetParent !== null);
const select = selects[index % selects.length];
const pictures = [...root.querySelectorAll('img')];
const before = pictures.map(p => p.src);
const start = performance.now();
const observer = new MutationObserver(() => {
  if (pictures.some((p, i) => p.src !== before[i])) {
    observer.disconnect(); done(performance.now() - start);
  }
});
pictures.forEach(p => observer.observe(p, {attributes: true}));
setTimeout(() => { observer.disconnect(); done(-1); }, 20000);
select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
select.dispatchEvent(new Event('change', {bubbles: true}));
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(folder: Path) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CHECK_NOTEBOOK_CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = folder / "check.ipynb"
    nbformat.write(notebook, path)
    return path


def start_lab(folder: Path, port: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        f"--port={port}", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
    ]  # fmt: skip
    lab = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return lab
        time.sleep(0.5)
    lab.kill()
    raise RuntimeError("JupyterLab did not start within 60 s")


def browser():
    """Headless Chromium; the system's driver where there is one (no download)."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1500,1100"):
        options.add_argument(flag)
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium:
        options.binary_location = chromium
    return webdriver.Chrome(options=options, service=Service(driver) if driver else None)


def run_all(driver) -> None:
    """Run -> Run All Cells from JupyterLab's menu, and wait for both widgets' pictures."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 180)

    def menu_item(selector: str, label: str):
        def find(d):
            items = [e for e in d.find_elements(By.CSS_SELECTOR, selector) if e.text == label]
            return items[0] if items else False

        return wait.until(find)

    wait.until(lambda d: "Idle" in d.find_element(By.CSS_SELECTOR, ".jp-StatusBar-Widget").text
               or d.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator"))  # fmt: skip
    time.sleep(3)  # the kernel starts with the notebook
    menu_item(".lm-MenuBar-itemLabel", "Run").click()
    menu_item(".lm-Menu-itemLabel", "Run All Cells").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img")) >= 3)
    time.sleep(2)


def main() -> None:
    rows, cut = [], []
    with tempfile.TemporaryDirectory() as folder:
        write_notebook(Path(folder))
        port = free_port()
        lab = start_lab(Path(folder), port)
        driver = browser()
        try:
            driver.get(f"http://127.0.0.1:{port}/lab/tree/check.ipynb?token={TOKEN}")
            run_all(driver)
            measured = driver.execute_script(MEASURE_JS)
            cut = measured["cut"]
            for which, name in enumerate(("cell builder", "hierarchical explorer")):
                times = []
                for index in range(10):
                    ms = driver.execute_async_script(CHANGE_JS, which, 3 * index + 2)
                    if ms >= 0:
                        times.append(ms / 1000)
                    time.sleep(0.3)
                rows.append(
                    {
                        "widget": name,
                        "changes": 10,
                        "updated": len(times),
                        "median_seconds": statistics.median(times) if times else None,
                        "max_seconds": max(times) if times else None,
                        "seconds": times,
                    }
                )
        finally:
            driver.quit()
            lab.terminate()
            lab.wait(timeout=30)
    print(f"drop-downs measured: {measured['checked']}; cut labels: {len(cut)}")
    for item in cut:
        print("  cut:", item)
    print_table(rows, ["widget", "changes", "updated", "median_seconds", "max_seconds"])
    save(
        "browser_widgets",
        rows,
        dropdowns_checked=measured["checked"],
        cut_labels=cut,
        load_average=os.getloadavg(),
        note="seconds: a drop-down changed in headless Chromium until the kernel's new picture "
        "is on the page (browser -> kernel -> count, draw -> browser)",
    )
    if cut:
        sys.exit(1)


if __name__ == "__main__":
    main()
