"""Sweeps: the grid, parallel cells on a local Dask cluster, resuming, retries and the tables."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="needs distributed: pip install 'neuroplastic[sweep]'")

import cloudpickle  # noqa: E402 (comes with distributed)

from neuroplastic.cli.main import main
from neuroplastic.errors import ConfigError, NeuroplasticError
from neuroplastic.experiments import sweep

REGIMES = Path(__file__).resolve().parents[1] / "models" / "regimes"

# Functions of this module run inside Dask worker processes, which cannot import a test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

TINY_MODEL = """
[model]
name = "{name}"
description = "tiny sweep test model"

[data]
dataset = "mnist-sample"
n_train = 400
validation_fraction = 0.1

[network]
n_hidden = {n_hidden}

[training]
readout_epochs = 2
batch_size = 50
"""


def write_model(folder, name, n_hidden=16):
    path = Path(folder) / f"{name}.toml"
    path.write_text(TINY_MODEL.format(name=name, n_hidden=n_hidden), encoding="utf-8")
    return path


def fake_metrics(accuracy=0.5, hidden=100):
    return {"test_accuracy": accuracy, "nonsilent_synapses": {"hidden": hidden, "output": 10, "total": hidden + 10},
            "potential_synapses": {"hidden": 1000}, "nonsilent_fraction_hidden": hidden / 1000,
            "train_seconds": 0.1}


def write_fake_cell(definition_path, out, data_dir, resume):
    """A stand-in for training: writes metrics.json as a finished run would."""
    metrics = fake_metrics()
    (Path(out) / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return metrics


def fail_once(definition_path, out, data_dir, resume):
    """Raises on the first attempt of each cell, succeeds on the next."""
    marker = Path(out) / "attempted"
    if not marker.exists():
        marker.write_text("1", encoding="utf-8")
        raise RuntimeError("simulated failure of a cell")
    return write_fake_cell(definition_path, out, data_dir, resume)


def crash_or_fail_once(definition_path, out, data_dir, resume):
    """First attempt: the seed-0 cell kills its worker process (as a crash or an OOM kill would),
    the others raise; later attempts succeed."""
    if Path(out).name.endswith("seed0"):
        marker = Path(out) / "crashed"
        if not marker.exists():
            marker.write_text("1", encoding="utf-8")
            os._exit(1)
        return write_fake_cell(definition_path, out, data_dir, resume)
    return fail_once(definition_path, out, data_dir, resume)


def train_recording_pid(definition_path, out, data_dir, resume):
    """Real training, recording which process trained the cell."""
    (Path(out) / "pid").write_text(str(os.getpid()), encoding="utf-8")
    return sweep._train_with_runner(definition_path, out, data_dir, resume)


# -- the grid -----------------------------------------------------------------


def test_plan_is_models_times_settings_times_seeds_with_overrides_applied(tmp_path):
    a, b = write_model(tmp_path, "a"), write_model(tmp_path, "b")
    params = sweep.parse_params(["network.n_hidden=8,12", "training.readout_epochs=2"])
    cells = sweep.plan_sweep([a, b], params, seeds=3)
    assert len(cells) == 2 * 2 * 1 * 3
    ids = [c.cell_id for c in cells]
    assert len(set(ids)) == len(ids)
    first = cells[0]
    assert first.cell_id == "a-network.n_hidden=8-training.readout_epochs=2-seed0"
    assert "n_hidden = 8" in first.definition and "readout_epochs = 2" in first.definition and "seed = 0" in first.definition
    assert {c.seed for c in cells} == {0, 1, 2}
    assert cells[-1].group == "b network.n_hidden=12 training.readout_epochs=2"


def test_param_values_are_toml_literals_and_lists_are_not_split(tmp_path):
    params = sweep.parse_params(["data.classes=[1,2,6],[0,1]", "data.dataset=mnist-sample"])
    assert params == {"data.classes": [[1, 2, 6], [0, 1]], "data.dataset": ["mnist-sample"]}
    cells = sweep.plan_sweep([write_model(tmp_path, "a")], params, seeds=1)
    assert "classes = [1, 2, 6]" in cells[0].definition


@pytest.mark.parametrize("param, message", [
    ("network.n_hidden=-3", "n_hidden"),
    ("network.no_such_field=1", "no_such_field"),
    ("nosection.x=1", "nosection"),
    ("n_hidden=5", "SECTION.FIELD"),
])
def test_invalid_parameters_are_rejected_before_anything_runs(tmp_path, param, message):
    with pytest.raises(ConfigError, match=message):
        sweep.plan_sweep([write_model(tmp_path, "a")], sweep.parse_params([param]), seeds=1)
    assert not (tmp_path / "out").exists()


def test_a_changed_definition_is_not_mixed_into_an_existing_sweep(tmp_path):
    model = write_model(tmp_path, "a")
    out = tmp_path / "out"
    cell = sweep.plan_sweep([model], None, seeds=1)[0]
    sweep.run_cell(cell, out, train=write_fake_cell)
    write_model(tmp_path, "a", n_hidden=99)
    with pytest.raises(NeuroplasticError, match="different model definition"):
        sweep.run_sweep([model], out=out, seeds=1, train=write_fake_cell)


# -- running on Dask -------------------------------------------------------------


def test_interrupted_sweep_completes_only_missing_cells_in_parallel(tmp_path):
    """2 regimes x 2 seeds on the bundled sample; half the cells finished before the 'kill'."""
    models = [REGIMES / "slow_turnover.toml", REGIMES / "fast_turnover.toml"]
    params = {"data.dataset": ["mnist-sample"], "data.n_train": [600], "network.n_hidden": [40],
              "rule.output.synapses_per_unit": [20], "training.readout_epochs": [2]}
    out = tmp_path / "sweep"
    cells = sweep.plan_sweep(models, params, seeds=2)
    assert len(cells) == 4
    # The sweep was killed after two cells had finished: they exist on disk as real runs.
    for cell in cells[:2]:
        sweep.run_cell(cell, out)
    finished = {c.cell_id: (out / "cells" / c.cell_id / "metrics.json").stat().st_mtime_ns for c in cells[:2]}

    result = sweep.run_sweep(models, out=out, params=params, seeds=2, jobs=2, train=train_recording_pid,
                             reference=False)  # the base model as reference: tests/test_sweep_reference.py

    assert sorted(result["skipped"]) == sorted(finished)
    assert sorted(result["ran"]) == sorted(c.cell_id for c in cells[2:])
    assert result["failed"] == {}
    for cell_id, mtime in finished.items():
        assert (out / "cells" / cell_id / "metrics.json").stat().st_mtime_ns == mtime
        assert not (out / "cells" / cell_id / "pid").exists()
    pids = {(out / "cells" / c.cell_id / "pid").read_text() for c in cells[2:]}
    assert len(pids) == 2 and str(os.getpid()) not in pids  # two worker processes, not this one
    with open(out / "cells.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and all(0.0 < float(r["test_accuracy"]) <= 1.0 for r in rows)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| slow_turnover | mnist-sample | 600 | 40 | 20 | 2 | 2 |" in summary
    assert "| fast_turnover | mnist-sample | 600 | 40 | 20 | 2 | 2 |" in summary
    for name in ("summary.csv", "sweep.json", "plots/accuracy_vs_synapses.png", "plots/accuracy_by_setting.png"):
        assert (out / name).stat().st_size > 0

    again = sweep.run_sweep(models, out=out, params=params, seeds=2, jobs=2, reference=False)
    assert again["ran"] == [] and len(again["skipped"]) == 4


def test_a_cell_that_raises_is_retried_and_a_crashed_worker_s_cell_rescheduled(tmp_path):
    model = write_model(tmp_path, "a")
    out = tmp_path / "out"
    result = sweep.run_sweep([model], out=out, seeds=2, jobs=2, retries=1, train=crash_or_fail_once)
    assert result["failed"] == {} and sorted(result["ran"]) == ["a-seed0", "a-seed1"]
    assert (out / "cells" / "a-seed0" / "crashed").exists()
    assert (out / "cells" / "a-seed1" / "attempted").exists()
    assert all(row["complete"] for row in result["cells"])


def test_a_cell_that_keeps_failing_is_reported_and_the_rest_aggregated(tmp_path):
    model = write_model(tmp_path, "a")
    result = sweep.run_sweep([model], out=tmp_path / "out", seeds=1, jobs=1, retries=0, train=fail_once)
    (cell_id,) = result["failed"]
    assert "simulated failure" in result["failed"][cell_id]
    assert result["cells"][0]["complete"] is False
    assert (tmp_path / "out" / "summary.md").exists()


def test_cli_reports_bad_param_in_one_line(tmp_path, capsys):
    model = write_model(tmp_path, "a")
    code = main(["sweep", str(model), "--param", "network.n_hidden=0", "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2
    assert "n_hidden" in capsys.readouterr().err


def test_a_second_sweep_into_a_running_sweep_s_folder_is_refused(tmp_path):
    model = write_model(tmp_path, "a")
    out = tmp_path / "out"
    out.mkdir()
    with sweep._sweep_lock(out):  # a sweep running into the folder
        with pytest.raises(NeuroplasticError, match="another sweep is running"):
            sweep.run_sweep([model], out=out, seeds=1, train=write_fake_cell)


def test_the_lock_of_a_killed_sweep_is_taken_over(tmp_path):
    model = write_model(tmp_path, "a")
    out = tmp_path / "out"
    sweep.run_cell(sweep.plan_sweep([model], None, seeds=1)[0], out, train=write_fake_cell)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from neuroplastic.experiments import sweep\n"
         "with sweep._sweep_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)", str(out)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(NeuroplasticError, match="another sweep is running"):
        sweep.run_sweep([model], out=out, seeds=1, train=write_fake_cell)
    holder.kill()  # killed: no cleanup ran, the lock file stays
    holder.wait()
    assert (out / sweep.LOCK).exists()
    result = sweep.run_sweep([model], out=out, seeds=1, train=write_fake_cell)
    assert result["skipped"] == ["a-seed0"] and not (out / sweep.LOCK).exists()
