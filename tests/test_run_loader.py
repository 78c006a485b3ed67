"""One run loader for evaluate, analyze, energy and report: the run's own network, model and data split;
a damaged run folder is one line naming the file and exit code 2."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.cli.main import main
from neuroplastic.errors import DataError, NeuroplasticError
from neuroplastic.network import TrainedNetwork
from neuroplastic.runs import RunFolder, load_run

MODEL_TOML = """
[model]
name = "tiny-126"

[network]
n_hidden = 5
activation = "relu"

[data]
dataset = "mnist-sample"
classes = [1, 2, 6]
validation_fraction = 0.1

[training]
seed = 3
"""


def make_run(folder):
    """A finished run on the bundled sample, classes 1, 2 and 6, with a hand-made network."""
    rng = np.random.default_rng(0)
    hidden = rng.uniform(0, 0.1, size=(5, 784)) * (rng.random((5, 784)) < 0.2)
    network = TrainedNetwork(hidden_weights=sp.csr_matrix(hidden), hidden_bias=np.zeros(5),
                             output_weights=sp.csr_matrix(rng.random((3, 5))), output_bias=np.zeros(3),
                             activation="relu", classes=np.array([1, 2, 6]))
    run = RunFolder(folder)
    run.write_text(RunFolder.MODEL, MODEL_TOML)
    network.save(run.file(RunFolder.NETWORK))
    run.write_json(RunFolder.METRICS, {"model": "tiny-126", "test_accuracy": 0.5,
                                       "nonsilent_synapses": network.n_nonsilent})
    return run, network


def test_load_run_returns_the_network_the_model_and_the_runs_own_split(tmp_path):
    run, network = make_run(tmp_path / "run")
    loaded = load_run(run.path)
    assert loaded.model.model.name == "tiny-126"
    assert (loaded.network.hidden_weights != network.hidden_weights).nnz == 0
    split = loaded.data
    for labels in (split.y_train, split.y_val, split.y_test):
        assert set(np.unique(labels)) == {1, 2, 6}
    n_train_part = len(split.y_train) + len(split.y_val)
    assert abs(len(split.y_val) - round(0.1 * n_train_part)) <= 3  # the model's validation share
    assert split.description["name"] == "mnist-sample"
    again = load_run(run.path)  # the split is seeded by the model: the same images each time
    assert np.array_equal(again.data.X_train, split.X_train)
    assert load_run(run.path, data=False).data is None


def test_a_missing_or_damaged_file_is_one_error_naming_it(tmp_path):
    run, _ = make_run(tmp_path / "run")
    content = run.file(RunFolder.NETWORK).read_bytes()
    run.file(RunFolder.NETWORK).write_bytes(content[: len(content) // 2])
    with pytest.raises(DataError, match="network.npz"):
        load_run(run.path, data=False)
    run.file(RunFolder.NETWORK).unlink()
    with pytest.raises(NeuroplasticError, match="network.npz: missing"):
        load_run(run.path, data=False)
    with pytest.raises(NeuroplasticError, match="no such run folder"):
        load_run(tmp_path / "nowhere")


@pytest.mark.parametrize("argv", [["analyze", "{run}", "--vib-seeds", "1"], ["report", "{run}"],
                                  ["energy", "{run}", "--backend", "numpy", "--images", "5"],
                                  ["evaluate", "{run}", "--images", "5", "--target", "numpy"]])
def test_every_command_on_a_truncated_network_gives_one_line_and_exit_2(tmp_path, capsys, argv):
    run, _ = make_run(tmp_path / "run")
    content = run.file(RunFolder.NETWORK).read_bytes()
    run.file(RunFolder.NETWORK).write_bytes(content[:300])
    code = main([a.format(run=run.path) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "network.npz" in err and err.startswith("neuroplastic: error: ")


def test_truncated_network_in_a_subprocess_has_no_traceback(tmp_path):
    run, _ = make_run(tmp_path / "run")
    run.file(RunFolder.NETWORK).write_bytes(b"PK\x03\x04 truncated")
    done = subprocess.run([sys.executable, "-m", "neuroplastic", "report", str(run.path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.strip().count("\n") == 0


def test_energy_uses_the_runs_own_data_set_and_classes(tmp_path, monkeypatch, capsys):
    """The run's model says mnist-sample: no full MNIST is needed, and only its classes are tested."""
    monkeypatch.setenv("NEUROPLASTIC_DATA", str(tmp_path / "no-mnist-here"))
    monkeypatch.setenv("NEUROPLASTIC_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run, _ = make_run(tmp_path / "run")
    code = main(["energy", str(run.path), "--backend", "numpy", "--images", "12", "--steps", "16", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    import json

    result = json.loads(out)
    assert result["images"] == 12
    test = load_run(run.path).data
    net = result["networks"][0]
    predictions = TrainedNetwork.load(run.file(RunFolder.NETWORK)).predict(test.X_test[:12])
    assert net["engine_accuracy"] == pytest.approx(np.mean(predictions == test.y_test[:12]))


def test_energy_on_the_validation_split_runs_validation_images_and_keeps_the_test_report(tmp_path, monkeypatch,
                                                                                         capsys):
    """Steps and rates can be chosen without the test set; the validation report is saved apart."""
    import json

    monkeypatch.setenv("NEUROPLASTIC_DATA", str(tmp_path / "no-mnist-here"))
    monkeypatch.setenv("NEUROPLASTIC_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run, _ = make_run(tmp_path / "run")
    args = ["energy", str(run.path), "--backend", "numpy", "--images", "12", "--steps", "16", "--json"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args + ["--split", "validation"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["split"] == "validation" and result["images"] == 12
    data = load_run(run.path).data
    predictions = TrainedNetwork.load(run.file(RunFolder.NETWORK)).predict(data.X_val[:12])
    assert result["networks"][0]["engine_accuracy"] == pytest.approx(np.mean(predictions == data.y_val[:12]))
    saved = json.loads(run.file("energy_loihi2_validation.json").read_text())
    assert saved["split"] == "validation"
    assert json.loads(run.file("energy_loihi2.json").read_text())["split"] == "test"
    assert "12 validation images" in run.file("energy_loihi2_validation.md").read_text()


def test_a_saved_network_has_no_validation_split_to_run_on(tmp_path, capsys):
    run, _ = make_run(tmp_path / "run")
    code = main(["energy", str(run.file(RunFolder.NETWORK)), "--backend", "numpy", "--split", "validation"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "no validation split" in err and "network.npz" in err
