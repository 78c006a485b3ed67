"""benchmarks/fixed_point_range.py: the largest input and potential of every layer, against Loihi's ranges."""

import json

from benchmark_scripts import load_benchmark
from small_networks import prototype_network


def test_every_layer_reports_its_peaks_within_the_limits(tmp_path, capsys):
    path = tmp_path / "net.npz"
    prototype_network().save(path)
    load_benchmark("fixed_point_range").main([str(path), "--images", "20", "--steps", "16", "--rate", "1",
                                              "--data-dir", "mnist-sample"])
    result = json.loads(capsys.readouterr().out)
    assert result["images"] == 20 and result["profile"] == "loihi2" and 0 <= result["agreement"] <= 1
    assert result["rate"] == result["inhibition_rate"] == 1.0
    assert result["limits_weight_steps"] == {"input_16_bit": 32767, "state_24_bit": 131072.0}
    assert {"hidden", "output"} <= set(result["layers"])
    for layer in result["layers"].values():
        assert layer["max_input_weight_steps"] > 0 and layer["max_potential_weight_steps"] > 0
        assert layer["within_24_bit_state"] == (layer["steps_with_a_clipped_potential"] == 0)
