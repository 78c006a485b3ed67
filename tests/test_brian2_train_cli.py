"""`neuroplastic train --engine brian2 --mode rate` writes the same run folder as the vectorized engine."""

import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.cli.main import main
from neuroplastic.config import dump_model, load_model, with_overrides
from neuroplastic.runs import RunFolder

from conftest import MODELS


@pytest.mark.slow
def test_train_command_with_the_brian2_rate_engine_writes_a_run_folder(tmp_path, capsys):
    model = with_overrides(
        load_model(MODELS / "mnist.toml"),
        data={"dataset": "mnist-sample", "n_train": 75, "validation_fraction": 0.2},
        network={"n_hidden": 4}, training={"epochs": 3},
    )
    path = tmp_path / "tiny.toml"
    text = dump_model(model).replace("period = 10000", "period = 30")
    text = text.replace("n_perturbations = 8", "n_perturbations = 1")
    path.write_text(text)
    code = main(["train", "--model", str(path), "--out", str(tmp_path / "run"), "--engine", "brian2",
                 "--mode", "rate", "--quiet"])
    assert code == 0
    run = RunFolder(tmp_path / "run", create=False)
    metrics = run.read_json(RunFolder.METRICS)
    assert metrics["engine"] == "brian2-rate"
    assert metrics["nonsilent_synapses"]["hidden"] == 4 * 16
    history = run.read_json(RunFolder.HISTORY)
    assert {"rewiring", "consolidation", "readout"} <= {record["phase"] for record in history}
    assert "test accuracy" in capsys.readouterr().out
