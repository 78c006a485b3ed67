"""benchmarks/nir_roundtrip.py: a network exported, read back and interpreted counts as the simulator."""

import json

import numpy as np

from benchmark_scripts import load_benchmark
from small_networks import prototype_network


def test_the_round_trip_of_a_squared_activation_counts_as_the_simulator(tmp_path, capsys):
    network = prototype_network(activation="triangle_squared")
    network.output_bias = np.linspace(-0.5, 0.5, 10)
    path = tmp_path / "net.npz"
    network.save(path)
    load_benchmark("nir_roundtrip").main([str(path), "--images", "40", "--steps", "16", "--data-dir", "mnist-sample",
                                          "--hidden-rate", "0.5", "--inhibition-rate", "0.5"])
    result = json.loads(capsys.readouterr().out)
    assert result["images"] == 40 and result["counters"] > 0 and result["file_bytes"] > 0
    assert result["output_counts_equal"] and result["predictions_equal"]
    assert result["agreement_nir"] == result["agreement_simulator"] > 0.5
