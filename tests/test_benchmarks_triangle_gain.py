"""benchmarks/triangle_gain.py: agreement of the linearised Euclidean triangle under several per-image gains."""

import json

import numpy as np

from benchmark_scripts import load_benchmark
from small_networks import prototype_network


def test_the_exact_mean_distance_bounds_every_fitted_gain(tmp_path, capsys):
    network = prototype_network(per_class=4, activation="triangle")
    network.output_bias = np.linspace(-0.5, 0.5, 10)  # a bias, so that the per-image gain matters
    path = tmp_path / "net.npz"
    network.save(path)
    load_benchmark("triangle_gain").main([str(path), "--split", "test", "--data-dir", "mnist-sample",
                                          "--calibration-images", "500", "--knots", "20", "50"])
    result = json.loads(capsys.readouterr().out)
    gains = result["agreement"]
    assert result["images"] == 1000 and "linearised per image" in result["mapping"]
    assert set(gains) == {"as_built", "linear", "linear_and_hinge_q20", "linear_and_hinge_q50", "exact"}
    assert all(0.5 < value <= 1.0 for value in gains.values())
    assert gains["exact"] >= max(gains["linear"], gains["linear_and_hinge_q20"]) - 0.01
