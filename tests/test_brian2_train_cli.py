"""`neuroplastic train --engine brian2 --mode rate|spiking` writes the same run folder as the vectorized engine."""

import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.cli.main import main
from neuroplastic.runs import RunFolder

TINY = """
[model]
name = "tiny-brian2"
description = "4 units with at most 8 synapses each, on 60 images of the bundled sample"

[data]
dataset = "mnist-sample"
n_train = 60
validation_fraction = 0.2

[network]
n_hidden = 4
activation = "triangle"

[training]
hidden_epochs = 1
readout_epochs = 1
batch_size = 8
seed = 0

[rule.rewiring]
max_synapses_per_unit = 8
synapses_per_unit = 6
growth_probability = 0.3
readout_growth_probability = 0.1
period = 16

[rule.output]
n_perturbations = 1
"""


def test_train_command_with_the_brian2_rate_engine_writes_a_run_folder(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    code = main(["train", "--model", str(path), "--out", str(tmp_path / "run"), "--engine", "brian2",
                 "--mode", "rate", "--quiet"])
    assert code == 0
    run = RunFolder(tmp_path / "run", create=False)
    metrics = run.read_json(RunFolder.METRICS)
    assert metrics["engine"] == "brian2-rate"
    assert 0 < metrics["nonsilent_synapses"]["hidden"] <= 4 * 6
    history = run.read_json(RunFolder.HISTORY)
    assert {"hidden", "readout start", "readout"} <= {record["phase"] for record in history}
    assert "test accuracy" in capsys.readouterr().out


def test_train_command_with_spiking_training_writes_a_run_folder(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    code = main(["train", "--model", str(path), "--out", str(tmp_path / "run"), "--engine", "brian2",
                 "--mode", "spiking", "--target", "numpy", "--quiet"])
    assert code == 0
    run = RunFolder(tmp_path / "run", create=False)
    metrics = run.read_json(RunFolder.METRICS)
    assert metrics["engine"] == "brian2-spiking"
    assert 0 < metrics["nonsilent_synapses"]["hidden"] <= 4 * 6
    history = run.read_json(RunFolder.HISTORY)
    assert [record["phase"] for record in history][:3] == ["hidden"] * 3  # 48 images, an event every 16
    assert "test accuracy" in capsys.readouterr().out


@pytest.mark.codegen_independent
def test_a_bad_spiking_quantity_is_one_line_naming_the_field(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY + '\n[spiking]\nmembrane_time_constant = "-3 ms"\n')
    code = main(["train", "--model", str(path), "--out", str(tmp_path / "run"), "--engine", "brian2",
                 "--mode", "spiking", "--quiet"])
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("neuroplastic: error:") and "membrane_time_constant" in error and "\n" not in error
    path.write_text(TINY + '\n[spiking]\ndrive_gain = "3 ms"\n')
    assert main(["train", "--model", str(path), "--out", str(tmp_path / "run2"), "--engine", "brian2",
                 "--mode", "spiking", "--quiet"]) == 2
    assert "drive_gain" in capsys.readouterr().err


def test_an_interrupted_spiking_run_resumes_from_the_command_line_to_the_same_network(tmp_path):
    import numpy as np

    from neuroplastic.runner import train_model

    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("seed = 0", "seed = 0\ncheckpoint_every = 8"))
    args = ["--engine", "brian2", "--mode", "spiking", "--target", "numpy", "--quiet"]
    assert main(["train", "--model", str(path), "--out", str(tmp_path / "whole"), *args]) == 0

    def interrupt(done, total, nonsilent):
        if done > 48:  # in the readout phase, after the hidden pass's checkpoint
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_model(str(path), out=tmp_path / "cut", progress=interrupt, engine="brian2", mode="spiking",
                    target="numpy")
    assert (tmp_path / "cut" / RunFolder.CHECKPOINT).exists()
    assert main(["train", "--resume", "--out", str(tmp_path / "cut"), *args]) == 0
    whole, cut = (np.load(tmp_path / name / RunFolder.NETWORK) for name in ("whole", "cut"))
    assert set(whole.files) == set(cut.files)
    for key in whole.files:
        assert np.array_equal(whole[key], cut[key]), key
