"""Mapping: neurons and synapses placed on cores within every per-core limit."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.errors import HardwareError
from neuroplastic.hardware.mapping import Layer, map_layers
from neuroplastic.hardware.profiles import Quantity, load_profile


def _profile(**overrides):
    base = load_profile("loihi1")
    quantities = dict(base.quantities)
    for name, value in overrides.items():
        quantities[name] = Quantity(float(value), quantities[name].unit, "test")
    return dataclasses.replace(base, quantities=quantities)


def _layer(n_neurons, n_sources, per_neuron, name="hidden", seed=0):
    rng = np.random.default_rng(seed)
    rows = [rng.choice(n_sources, per_neuron, replace=False) for _ in range(n_neurons)]
    data = np.ones(n_neurons * per_neuron)
    matrix = sp.csr_matrix((data, (np.repeat(np.arange(n_neurons), per_neuron), np.concatenate(rows))),
                           shape=(n_neurons, n_sources))
    return Layer(name, matrix, [("input", n_sources)])


def test_neurons_per_core_limit_sets_the_core_count():
    mapping = map_layers([_layer(10, 20, 3)], _profile(neurons_per_core=4))
    assert mapping.n_cores == 3
    assert [c["neurons"] for c in mapping.cores] == [4, 4, 2]
    assert mapping.utilisation["neurons"]["max"] == 1.0


def test_synaptic_memory_counts_weight_and_index_bits():
    # 3 synapses x (8 + 10) bits = 54 bits per neuron; 120 bits hold two neurons.
    mapping = map_layers([_layer(5, 20, 3)], _profile(synaptic_memory_per_core=120))
    assert [c["neurons"] for c in mapping.cores] == [2, 2, 1]
    assert mapping.cores[0]["memory_bits"] == 108


def test_input_axon_limit_counts_distinct_sources():
    layer = Layer("hidden", sp.csr_matrix(np.eye(6)), [("input", 6)])
    mapping = map_layers([layer], _profile(input_axons_per_core=4))
    assert [c["input_axons"] for c in mapping.cores] == [4, 2]


def test_each_layer_starts_on_its_own_core():
    mapping = map_layers([_layer(3, 10, 2), _layer(2, 3, 1, name="output")], load_profile("loihi1"))
    assert mapping.n_cores == 2
    assert set(mapping.core_of["output"]) == {1}


def test_networks_beyond_one_chip_use_several_chips():
    mapping = map_layers([_layer(10, 20, 3)], _profile(neurons_per_core=1, cores_per_chip=4))
    assert mapping.n_cores == 10 and mapping.n_chips == 3
    assert mapping.cores[4]["chip"] == 1


def test_a_neuron_with_too_many_inputs_names_the_axon_limit():
    with pytest.raises(HardwareError, match="input_axons_per_core=256"):
        map_layers([_layer(2, 400, 300)], load_profile("truenorth"))


def test_a_neuron_too_big_for_synaptic_memory_names_the_memory_limit():
    with pytest.raises(HardwareError, match="synaptic_memory_per_core"):
        map_layers([_layer(2, 400, 300)], _profile(synaptic_memory_per_core=1000))


def test_too_many_chips_names_max_chips():
    with pytest.raises(HardwareError, match="max_chips=2"):
        map_layers([_layer(10, 20, 3)], _profile(neurons_per_core=1, cores_per_chip=4, max_chips=2))


def test_conventional_profiles_are_not_mapped():
    with pytest.raises(HardwareError, match="neuromorphic"):
        map_layers([_layer(2, 4, 1)], load_profile("cpu"))


def _interleaved_layer():
    """Eight neurons alternating between two disjoint groups of four sources."""
    rows = [np.arange(4) + (8 if neuron % 2 else 0) for neuron in range(8)]
    matrix = sp.csr_matrix((np.ones(32), (np.repeat(np.arange(8), 4), np.concatenate(rows))), shape=(8, 16))
    return Layer("hidden", matrix, [("input", 16)])


def test_locality_placement_groups_neurons_that_share_inputs():
    profile = _profile(input_axons_per_core=4)
    fill = map_layers([_interleaved_layer()], profile)
    local = map_layers([_interleaved_layer()], profile, placement="locality")
    assert fill.n_cores == 8 and local.n_cores == 2
    assert sorted(np.bincount(local.core_of["hidden"])) == [4, 4]
    assert set(local.core_of["hidden"][::2]) != set(local.core_of["hidden"][1::2])  # the two groups apart
    assert all(core["input_axons"] <= 4 for core in local.cores)


def test_unknown_placement_is_a_hardware_error():
    with pytest.raises(HardwareError, match="placement must be one of fill, locality, balanced"):
        map_layers([_interleaved_layer()], _profile(), placement="random")


def test_balanced_placement_spreads_a_layer_evenly_over_the_cores_fill_order_opens():
    layer = _layer(9, 20, 3)
    profile = _profile(neurons_per_core=4)
    fill = map_layers([layer], profile)
    balanced = map_layers([layer], profile, placement="balanced")
    assert [c["neurons"] for c in fill.cores] == [4, 4, 1]
    assert [c["neurons"] for c in balanced.cores] == [3, 3, 3]
    assert sorted(np.concatenate([np.flatnonzero(balanced.core_of["hidden"] == k) for k in range(3)])) == list(range(9))
