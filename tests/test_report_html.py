"""The shareable run report: self-contained HTML (embedded images) and its Markdown twin."""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.cli.main import main
from neuroplastic.errors import NeuroplasticError
from neuroplastic.network import TrainedNetwork
from neuroplastic.report.html import energy_breakdown, write_run_report
from neuroplastic.runs import RunFolder

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMMAND = "neuroplastic train --model models/tiny.toml --out runs/tiny"


def make_run(folder, *, compare=False, energy=False, history=True):
    """A finished run folder written by hand: an 8x8-image network of 6 hidden units."""
    rng = np.random.default_rng(0)
    hidden = rng.lognormal(-2.0, 0.5, size=(6, 64)) * (rng.random((6, 64)) < 0.3)
    output = rng.random((3, 6))
    network = TrainedNetwork(hidden_weights=sp.csr_matrix(hidden), hidden_bias=np.zeros(6),
                             output_weights=sp.csr_matrix(output), output_bias=np.zeros(3), activation="relu",
                             classes=np.array([1, 2, 6]))
    run = RunFolder(folder)
    network.save(run.file(RunFolder.NETWORK))
    metrics = {"model": "tiny", "seed": 0, "test_accuracy": 0.875, "data": {"image_shape": [8, 8], "n_test": 40},
               "nonsilent_synapses": network.n_nonsilent, "potential_synapses": network.n_potential,
               "train_seconds": 1.25, "command": COMMAND}
    run.write_json(RunFolder.METRICS, metrics)
    if history:
        run.write_json(RunFolder.HISTORY, [
            {"presentations": 100 * k, "nonsilent_hidden": 200 - 10 * k, "nonsilent_output": 18, "grown": 3,
             "eliminated": 13} for k in range(1, 6)])
    if compare:
        runs = [{"method": m, "hidden": h, "seed": 0, "accuracy": a, "nonsilent_synapses": n}
                for m, h, a, n in (("bp", 10, 0.99, 7840), ("bp", 30, 0.992, 23520), ("rule", 10, 0.64, 500),
                                   ("constrained_bp", 10, 0.98, 1500))]
        run.file("compare").mkdir()
        run.write_json("compare/compare.json", {"runs": runs})
    if energy:  # as `neuroplastic energy` writes it
        run.write_json("energy_loihi2.json", {"profile": "loihi2", "networks": [{"name": "tiny", "priced": {
            "loihi2": {"kind": "neuromorphic", "energy_uj": 6.2,
                       "breakdown_uj": {"synaptic_ops": 2.4, "neuron_updates": 0.81, "static": 3.0}},
            "cpu": {"kind": "conventional", "energy_uj": 79.0, "breakdown_uj": {"macs": 67.0, "memory": 12.0}},
            "truenorth": {"error": "does not fit"}}}]})
    return run


def embedded_images(page):
    return re.findall(r'<img src="([^"]*)"', page)


def test_html_embeds_every_figure_as_a_png_data_uri(tmp_path):
    run = make_run(tmp_path / "run", compare=True, energy=True)
    written = write_run_report(run.path)
    page = Path(written["html"]).read_text(encoding="utf-8")
    sources = embedded_images(page)
    assert len(sources) == 5 == len(written["figures"])
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    # Self-contained: nothing is loaded from elsewhere.
    assert not re.search(r'(src|href)="(?!data:)', page)


def test_report_shows_metrics_command_and_optional_sections(tmp_path):
    run = make_run(tmp_path / "run", compare=True, energy=True)
    write_run_report(run.path)
    page = run.file("report.html").read_text(encoding="utf-8")
    markdown = run.file("report.md").read_text(encoding="utf-8")
    for text in (page, markdown):
        assert COMMAND in text
        assert "test_accuracy" in text and "0.875" in text
        for section in ("Receptive fields", "Structural plasticity", "Weight distribution", "Methods compared",
                        "Energy"):
            assert section in text
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown):
        assert run.file(link).read_bytes().startswith(PNG_SIGNATURE)


def test_sections_without_results_are_left_out(tmp_path):
    run = make_run(tmp_path / "run", history=False)
    written = write_run_report(run.path)
    assert len(written["figures"]) == 2  # receptive fields and the weight distribution
    page = run.file("report.html").read_text(encoding="utf-8")
    assert "Methods compared" not in page and "Energy" not in page


def test_rerunning_the_report_keeps_the_original_command(tmp_path):
    run = make_run(tmp_path / "run")
    write_run_report(run.path)
    write_run_report(run.path)
    assert COMMAND in run.file("report.md").read_text(encoding="utf-8")


def test_energy_breakdown_reads_flat_and_per_profile_results_in_joules():
    assert energy_breakdown({"breakdown_j": {"a": 1e-6, "b": 2e-6}}) == {"a": 1e-6, "b": 2e-6}
    assert energy_breakdown({"breakdown_pj": {"a": 5.0}}) == {"a": pytest.approx(5e-12)}
    run_result = {"networks": [{"name": "n", "priced": {"loihi1": {"breakdown_uj": {"syn": 2.0}}, "gpu": {"error": "x"}}}]}
    assert energy_breakdown(run_result) == {"loihi1": {"syn": pytest.approx(2e-6)}}
    nested = energy_breakdown({"profiles": [{"profile": "loihi1", "energy_breakdown_j": {"syn": 1.0}}]})
    assert nested == {"loihi1": {"syn": 1.0}}
    assert energy_breakdown({"total_j": 3.0}) == {}


def test_a_folder_that_is_not_a_finished_run_is_a_user_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(NeuroplasticError, match="metrics.json"):
        write_run_report(tmp_path / "empty")
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "finished run" in capsys.readouterr().err


# -- rendering in a real browser ---------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _webdriver(base, method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))["value"]


def render_in_chromium(html_path, screenshot_path):
    """Open a page in headless Chromium through chromedriver (W3C WebDriver over HTTP).

    Returns the list of ``(alt, complete, naturalWidth)`` of every image, and
    writes a full-page screenshot.
    """
    driver = shutil.which("chromedriver")
    browser = shutil.which("chromium")
    port = _free_port()
    process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _webdriver(base, "GET", "/status", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        capabilities = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1200,900"]}}}}
        session = _webdriver(base, "POST", "/session", capabilities)["sessionId"]
        try:
            _webdriver(base, "POST", f"/session/{session}/url", {"url": Path(html_path).resolve().as_uri()})
            images = _webdriver(base, "POST", f"/session/{session}/execute/sync", {
                "script": "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]);",
                "args": []})
            height = _webdriver(base, "POST", f"/session/{session}/execute/sync",
                                {"script": "return document.body.scrollHeight;", "args": []})
            _webdriver(base, "POST", f"/session/{session}/window/rect", {"width": 1200, "height": int(height) + 120})
            png = _webdriver(base, "GET", f"/session/{session}/screenshot")
            Path(screenshot_path).write_bytes(base64.b64decode(png))
        finally:
            _webdriver(base, "DELETE", f"/session/{session}")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return images


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")),
                    reason="needs Debian packages chromium and chromium-driver")
def test_every_image_loads_in_headless_chromium(tmp_path):
    run = make_run(tmp_path / "run", compare=True, energy=True)
    write_run_report(run.path)
    images = render_in_chromium(run.file("report.html"), tmp_path / "screenshot.png")
    assert len(images) == 5
    for alt, complete, width in images:
        assert complete and width > 100, alt
    assert (tmp_path / "screenshot.png").read_bytes().startswith(PNG_SIGNATURE)
    if os.environ.get("NEUROPLASTIC_KEEP_SCREENSHOT"):
        shutil.copy(tmp_path / "screenshot.png", os.environ["NEUROPLASTIC_KEEP_SCREENSHOT"])


# -- one result object, templates, unreadable results --------------------------------


def test_unreadable_result_files_are_shown_as_problems_not_skipped(tmp_path):
    run = make_run(tmp_path / "run", energy=True)
    run.file("energy_truenorth.json").write_text('{"networks": [', encoding="utf-8")
    run.file(RunFolder.HISTORY).write_bytes(b"\xff\xfe not json")
    written = write_run_report(run.path)
    assert any(p.startswith("energy_truenorth.json: cannot be read") for p in written["problems"])
    assert any(p.startswith("history.json: cannot be read") for p in written["problems"])
    assert not any("rewiring" in caption for caption in written["figures"])  # no figure from a damaged history
    assert "Energy" in " ".join(written["figures"])  # the readable energy file is still shown
    for name in ("report.html", "report.md"):
        text = run.file(name).read_text(encoding="utf-8")
        assert "Problems" in text and "energy_truenorth.json" in text and "history.json" in text


def test_the_command_comes_from_metrics_never_from_a_previous_report(tmp_path):
    run = make_run(tmp_path / "run")
    run.write_text("report.md", "Produced by:\n\n```\nneuroplastic train --model forged.toml\n```\n")
    metrics = run.read_json(RunFolder.METRICS)
    del metrics["command"]
    run.write_json(RunFolder.METRICS, metrics)
    write_run_report(run.path)
    text = run.file("report.md").read_text(encoding="utf-8")
    assert "forged.toml" not in text
    assert f"--out {run.path}" in text  # the equivalent train command


def test_runner_and_report_command_write_the_same_headline_from_one_template(tmp_path):
    from neuroplastic.report import run_report_markdown

    run = make_run(tmp_path / "run")
    metrics = run.read_json(RunFolder.METRICS)
    trained = run_report_markdown(metrics, {"Receptive fields": "plots/rf.png"}, COMMAND)
    write_run_report(run.path)
    reported = run.file("report.md").read_text(encoding="utf-8")
    headline = "Test accuracy **87.50%** with **" + f"{metrics['nonsilent_synapses']['total']:,}" + "**"
    assert headline in trained and headline in reported
    assert trained.splitlines()[:4] == reported.splitlines()[:4]  # title, blank, headline, blank
    assert reported.splitlines()[3] == "" and reported.splitlines()[4] == "Produced by:"
    html_page = run.file("report.html").read_text(encoding="utf-8")
    assert "<strong>87.50%</strong>" in html_page and "**" not in html_page


def test_html_escapes_what_the_run_recorded(tmp_path):
    run = make_run(tmp_path / "run")
    metrics = run.read_json(RunFolder.METRICS)
    metrics.update(model="<script>alert(1)</script>", command="neuroplastic train --out 'a<b>'")
    run.write_json(RunFolder.METRICS, metrics)
    write_run_report(run.path)
    page = run.file("report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "a&lt;b&gt;" in page


def test_templates_ship_as_package_data():
    from importlib.resources import files

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    templates = files("neuroplastic.report").joinpath("templates")
    names = {entry.name for entry in templates.iterdir()}
    assert {"run_report.html.j2", "run_report.md.j2"} <= names
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["neuroplastic"]
    assert any(p.startswith("report/templates/") and p.endswith(".j2") for p in patterns)
    assert any(d.split(">")[0].split("<")[0].strip().lower() == "jinja2" for d in pyproject["project"]["dependencies"])
