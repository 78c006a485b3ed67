"""benchmarks/lava_lanes.py: Lava runs at several lane counts, each checked against the NumPy simulator."""

import json

from benchmark_scripts import load_benchmark
from small_networks import prototype_network

from conftest import needs_lava


@needs_lava
def test_every_lane_count_is_timed_and_counts_as_the_simulator(tmp_path, capsys):
    path = tmp_path / "net.npz"
    prototype_network().save(path)
    load_benchmark("lava_lanes").main([str(path), "--images", "5", "--lanes", "1", "2", "--steps", "16",
                                       "--data-dir", "mnist-sample", "--calibration-images", "50"])
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "net.npz" and result["images"] == 5 and result["steps"] == 16
    assert [run["lanes"] for run in result["runs"]] == [1, 2]
    for run in result["runs"]:
        assert run["same_counts"] is True and run["lava_wall_time_s"] > 0
