"""benchmarks/code_levels.py: accuracy with values rounded to S+1 levels, and the event counts of S steps."""

import json

import numpy as np
import pytest
import scipy.sparse as sp
from benchmark_scripts import load_benchmark
from conftest import needs_jax
from small_networks import prototype_network

from neuroplastic.hardware.profiles import load_profile
from neuroplastic.network import TrainedNetwork


@pytest.fixture(scope="module")
def code_levels():
    return load_benchmark("code_levels")


def _hand_network():
    """Three inputs, two ReLU units (the first reads input 0, the second inputs 1 and 2), one output per unit."""
    return TrainedNetwork(hidden_weights=sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])),
                          hidden_bias=np.zeros(2), output_weights=sp.csr_matrix(np.eye(2)), output_bias=np.zeros(2),
                          activation="relu", classes=np.arange(2))


def test_a_point_counts_by_hand(code_levels):
    X = np.array([[0.2, 0.0, 0.9], [0.6, 0.3, 0.0]])
    # two steps: inputs round to [0, 0, 1] and [0.5, 0.5, 0]; hidden activity [0, 1] and [0.5, 0.5] to counts
    # [0, 2] and [1, 1] of scale 1; image 0 sends 1 input and 1 hidden spike, image 1 sends 2 and 2,
    # each through one synapse
    point = code_levels.Point.measure(_hand_network(), X, np.array([1, 0]), 2, 1.0)
    assert point.accuracy == 1.0  # the tie of image 1 goes to class 0, as argmax does
    assert point.spikes == 3.0 and point.synaptic_ops == 3.0
    assert point.neuron_updates == 2 * (2 + 2)  # every hidden and output neuron at both steps
    loihi1 = load_profile("loihi1")
    expected = (8 * loihi1["neuron_update"] + 3 * loihi1["synaptic_op"] + 3 * loihi1["spike"]) * 1e-6
    assert point.energy_uj(loihi1) == pytest.approx(expected)
    assert code_levels.Point.measure(_hand_network(), X, np.array([1, 1]), 2, 1.0).accuracy == 0.5


def test_rounding_keeps_values_that_are_on_a_level_and_clips_above_the_scale(code_levels):
    X = np.array([[0.0, 0.25, 0.5, 1.0, 0.3]])
    assert np.array_equal(code_levels.rounded_inputs(X, 4), [[0.0, 0.25, 0.5, 1.0, 0.25]])
    assert np.array_equal(code_levels.hidden_counts(np.array([0.0, 0.5, 2.0, 9.0]), 2.0, 4), [0, 1, 4, 4])


def test_more_levels_approach_the_exact_network(code_levels):
    network = prototype_network(per_class=3)
    from neuroplastic.datasets import load_sample

    test = load_sample().test
    X, y = test.X[:300], test.y[:300]
    exact = np.mean(network.predict(X) == y)
    scale = network.hidden(X).max(axis=0) + 1e-12
    one = code_levels.Point.measure(network, X, y, 1, scale)
    many = code_levels.Point.measure(network, X, y, 255, scale)  # sample pixels are multiples of 1/255: inputs exact
    assert abs(many.accuracy - exact) <= 1 / 300
    assert many.accuracy > one.accuracy
    assert many.neuron_updates == 255 * one.neuron_updates


MODEL_TOML = """
[model]
name = "tiny-levels"

[network]
n_hidden = 30
activation = "squared_distance_triangle"

[data]
dataset = "mnist-sample"
validation_fraction = 0.2

[training]
seed = 0
"""


@needs_jax
def test_main_selects_the_cheapest_point_that_reaches_the_target_on_validation(code_levels, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.toml").write_text(MODEL_TOML)
    prototype_network(per_class=3).save(run / "network.npz")
    code_levels.main([str(run), "--levels", "1", "4", "16", "--hidden", "16", "--epochs", "30", "--target", "0.5",
                      "--data", "mnist-sample", "--out", str(tmp_path / "bp"), "--calibration", "200",
                      "--figure", str(tmp_path / "levels.png")])
    result = json.loads(capsys.readouterr().out)
    assert set(result["families"]) == {"our rule", "dense BP"}
    assert (tmp_path / "levels.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for family in result["families"].values():
        points, chosen = family["points"], family["selected"]
        reaching = [p for p in points if p["validation_accuracy"] >= 0.5]
        assert len(points) == 3 and chosen is not None
        assert chosen["energy_uj"] == min(p["energy_uj"] for p in reaching)
        assert 0.0 <= chosen["test_accuracy"] <= 1.0 and chosen["test_energy_uj"] > 0
    ours, bp = (result["families"][f]["selected"] for f in ("our rule", "dense BP"))
    assert result["energy_ratio_ours_to_bp"] == pytest.approx(ours["test_energy_uj"] / bp["test_energy_uj"], rel=1e-2)
