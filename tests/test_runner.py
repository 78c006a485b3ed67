"""The main job: a run folder with everything in it, reproducible, and resumable after an interruption."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neuroplastic.cli import main
from neuroplastic.errors import NeuroplasticError
from neuroplastic.network import load_network
from neuroplastic.runner import prepare_data, train_model
from neuroplastic.runs import RunFolder

TINY = """
[model]
name = "tiny"

[data]
dataset = "mnist-sample"
validation_fraction = 0.1

[network]
n_hidden = 40

[training]
hidden_epochs = 1
readout_epochs = 2
batch_size = 50
seed = 3
checkpoint_every = 400

[rule.rewiring]
period = 400
max_synapses_per_unit = 16
synapses_per_unit = 12
readout_growth_probability = 0.05

[rule.output]
synapses_per_unit = 30
"""

COMPARED = ("test_accuracy", "validation_accuracy", "train_accuracy", "nonsilent_synapses")


@pytest.fixture
def tiny_model(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def test_run_folder_holds_model_network_metrics_history_plots_and_report(tiny_model, tmp_path):
    run, metrics = train_model(tiny_model, out=tmp_path / "run")
    for name in ("model.toml", "network.npz", "metrics.json", "history.json", "run.log", "report.md",
                 "plots/synapses.png", "plots/receptive_fields.png", "plots/weights.png", "dynamics.json",
                 "plots/dynamics.png"):
        assert run.file(name).is_file(), name
    assert not run.file(RunFolder.CHECKPOINT).exists()
    saved = json.loads(run.file("metrics.json").read_text())
    assert len(saved["dynamics"]["turnover_per_pass"]) == 3  # one per pass: 1 hidden + 2 readout
    from neuroplastic.analysis.run import synapse_dynamics

    brief = synapse_dynamics(run)
    assert brief["grown"] == saved["dynamics"]["grown"] > 0 and len(brief["passes"]) == 3
    assert "dynamics.png" in run.file("report.md").read_text()
    assert saved["nonsilent_synapses"]["hidden"] <= 40 * 12
    network = load_network(run.file("network.npz"))
    data = prepare_data(__import__("neuroplastic.config", fromlist=["load_model"]).load_model(tiny_model))
    assert network.score(data.X_test, data.y_test) == pytest.approx(saved["test_accuracy"])
    assert saved["test_accuracy"] > 0.5  # ten classes: chance is 0.1


def test_same_seed_gives_identical_metrics(tiny_model, tmp_path):
    _, first = train_model(tiny_model, out=tmp_path / "a")
    _, second = train_model(tiny_model, out=tmp_path / "b")
    assert {k: first[k] for k in COMPARED} == {k: second[k] for k in COMPARED}


def test_interrupted_run_resumes_to_the_same_metrics(tiny_model, tmp_path):
    _, reference = train_model(tiny_model, out=tmp_path / "whole")

    def interrupt(done, total, nonsilent):
        if done >= 1300:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_model, out=tmp_path / "cut", progress=interrupt)
    assert (tmp_path / "cut" / RunFolder.CHECKPOINT).is_file()
    _, resumed = train_model(None, out=tmp_path / "cut", resume=True)
    assert {k: resumed[k] for k in COMPARED} == {k: reference[k] for k in COMPARED}
    whole = load_network(tmp_path / "whole" / "network.npz")
    cut = load_network(tmp_path / "cut" / "network.npz")
    assert (whole.hidden_weights != cut.hidden_weights).nnz == 0
    np.testing.assert_array_equal(whole.output_weights.toarray(), cut.output_weights.toarray())


def test_interrupted_folder_is_not_overwritten_without_resume(tiny_model, tmp_path):
    def interrupt(done, total, nonsilent):
        if done >= 500:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_model, out=tmp_path / "cut", progress=interrupt)
    with pytest.raises(NeuroplasticError, match="resume it"):
        train_model(tiny_model, out=tmp_path / "cut")


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    RunFolder(tmp_path / "empty").write_text("model.toml", TINY)
    with pytest.raises(NeuroplasticError, match="no checkpoint to resume from"):
        train_model(None, out=tmp_path / "empty", resume=True)


def test_train_command_prints_the_summary(tiny_model, tmp_path, capsys):
    assert main(["train", "--model", str(tiny_model), "--out", str(tmp_path / "r"), "--quiet", "--readout-epochs", "3"]) == 0
    out = capsys.readouterr().out
    for label in ("test accuracy", "input->hidden", "hidden->output", "total", "wall time", "peak memory"):
        assert label in out
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["epochs"] == 4


@pytest.mark.parametrize("engine, mode, field", [("loihi", "rate", "engine"), ("brian2", "fast", "mode")])
def test_unknown_engine_or_mode_is_refused_before_any_folder_is_made(tiny_model, tmp_path, engine, mode, field):
    from neuroplastic.experiments.sweep import run_sweep

    with pytest.raises(NeuroplasticError, match=f"{field}.*must be one of"):
        train_model(tiny_model, out=tmp_path / "run", engine=engine, mode=mode)
    with pytest.raises(NeuroplasticError, match=f"{field}.*must be one of"):
        run_sweep([tiny_model], out=tmp_path / "sweep", engine=engine, mode=mode)
    assert not (tmp_path / "run").exists() and not (tmp_path / "sweep").exists()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_peak_memory_is_the_runs_own_not_its_parents():
    """A run started by a large process (a benchmark, a sweep) reports its own peak memory.

    ``ru_maxrss`` carried the parent's high-water mark across ``exec``: a
    child of a 400 MB parent reported at least 400 MB.
    """
    held = np.ones(50_000_000)  # 400 MB, touched
    child = subprocess.run([sys.executable, "-c", "from neuroplastic.runner import peak_rss_mb; print(peak_rss_mb())"],
                           capture_output=True, text=True, check=True)
    own = float(child.stdout)
    assert 10 < own < 300, own
    assert held[-1] == 1.0
