"""benchmarks/brian2_train.py runs end to end on a tiny model of the bundled sample and prints measured JSON."""

import json

import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from benchmark_scripts import load_benchmark
from neuroplastic.network import TrainedNetwork

from test_brian2_train_cli import TINY


def test_the_benchmark_trains_spiking_and_reports_both_accuracies(tmp_path, capsys):
    model = tmp_path / "tiny.toml"
    model.write_text(TINY)
    saved = tmp_path / "network.npz"
    load_benchmark("brian2_train").main(["--model", str(model), "--target", "numpy", "--inference", "numpy",
                                         "--test", "40", "--calibration", "40", "--save", str(saved)])
    report = json.loads(capsys.readouterr().out)
    (run,) = report["hidden_phase"]
    assert run["presentations"] == report["n_train"] and run["images_with_a_winner"] == run["presentations"]
    assert run["presentations_per_second"] > 0 and run["build_seconds"] >= 0
    network = TrainedNetwork.load(saved)
    assert report["test_images"] == 40
    assert 0.0 <= report["test_accuracy_spiking"] <= 1.0
    assert report["nonsilent_synapses"]["hidden"] == network.n_nonsilent["hidden"]
