"""Measured CPU pricing: wall time of the network's own forward pass times the profile's cited power."""

import numpy as np
import pytest
from small_networks import prototype_network

from neuroplastic.datasets import load_sample
from neuroplastic.errors import HardwareError
from neuroplastic.hardware.evaluate import price_network
from neuroplastic.hardware.measured import has_measured_power, measured_cost
from neuroplastic.hardware.profiles import PROFILE_DIR, load_profile


def test_cpu_profile_cites_a_power_per_thread_and_gpu_stays_a_mac_estimate():
    cpu, gpu = load_profile("cpu"), load_profile("gpu")
    assert has_measured_power(cpu) and not has_measured_power(gpu)
    assert cpu["power_per_thread"] == pytest.approx(2190.0)  # 2.19 W in mW
    assert "power_per_thread" in cpu.assumptions


def test_measured_energy_is_time_per_image_times_power():
    network = prototype_network()
    X = load_sample().test.X[:300]
    cost = measured_cost(network, X, load_profile("cpu"), batch_size=100, rounds=2)
    assert cost["seconds_per_image"] > 0 and cost["images"] == 300 and cost["threads"] == 1
    assert cost["energy_uj"] == pytest.approx(cost["seconds_per_image"] * 2.19 * 1e6)


def test_price_network_adds_the_measured_figure_only_where_a_power_is_cited():
    network = prototype_network()
    X = load_sample().test.X[:50]
    priced = price_network(None, None, [load_profile("cpu"), load_profile("gpu")], network, X)
    assert priced["cpu"]["measured"]["energy_uj"] > 0
    assert "measured" not in priced["gpu"]
    assert "measured" not in price_network(None, None, [load_profile("cpu")], network)["cpu"]


def test_unknown_measured_field_is_a_one_line_error(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text((PROFILE_DIR / "cpu.toml").read_text().replace("power_per_thread", "power_per_core"))
    with pytest.raises(HardwareError, match=r"mine.toml: \[measured\] power_per_core is not a known field"):
        load_profile(path)


def test_measured_power_needs_a_power_unit(tmp_path):
    path = tmp_path / "mine.toml"
    text = (PROFILE_DIR / "cpu.toml").read_text()
    path.write_text(text.replace('value = 2.19, unit = "W"', 'value = 2.19, unit = "nJ"'))
    with pytest.raises(HardwareError, match="power_per_thread.unit"):
        load_profile(path)
    assert np.isfinite(load_profile("cpu")["power_per_thread"])
