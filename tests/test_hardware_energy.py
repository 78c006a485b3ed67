"""Events and energy of a tiny network, recomputed by hand from spikes, weights and profile values."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.hardware.energy import mac_workload, price_events, price_macs
from neuroplastic.hardware.events import count_events, count_synaptic_ops
from neuroplastic.hardware.mapping import map_layers, plan_layers
from neuroplastic.hardware.profiles import Quantity, load_profile
from neuroplastic.hardware.rate_code import build_plan, simulate
from neuroplastic.network import TrainedNetwork


def tiny_relu_network():
    hidden = sp.csr_matrix(np.array([[0.5, 0.0, 0.3, 0.0], [0.0, 0.8, 0.0, 0.2], [0.4, 0.4, 0.0, 0.0]]))
    output = sp.csr_matrix(np.array([[1.0, -0.5, 0.0], [-0.3, 0.0, 0.9]]))
    return TrainedNetwork(hidden_weights=hidden, hidden_bias=np.array([0.05, -0.1, 0.0]), output_weights=output,
                          output_bias=np.zeros(2), activation="relu", classes=np.array([0, 1]))


def tiny_inputs(n=6, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (n, 4))


def _one_neuron_per_core(name):
    base = load_profile(name)
    quantities = dict(base.quantities)
    quantities["neurons_per_core"] = Quantity(1.0, "count", "test")
    return dataclasses.replace(base, quantities=quantities)


def test_synaptic_ops_match_an_independent_count_from_weights_and_spikes():
    net, X = tiny_relu_network(), tiny_inputs()
    plan = build_plan(net, X, steps=32)
    spikes = simulate(plan, X)
    profile = load_profile("loihi1")
    layers = plan_layers(plan)
    events = count_events(layers, spikes, map_layers(layers, profile), plan.slot)
    for image in range(len(X)):
        expected = 0
        for i in range(4):  # every input spike reaches each non-zero weight of its column
            expected += spikes["input"][i, image] * sum(net.hidden_weights[j, i] != 0 for j in range(3))
        for j in range(3):
            expected += spikes["hidden"][j, image] * sum(net.output_weights[c, j] != 0 for c in range(2))
        assert events.synaptic_ops[image] == expected
        assert events.spikes[image] == (spikes["input"][:, image].sum() + spikes["hidden"][:, image].sum()
                                        + spikes["output"][:, image].sum())
    # the placement-free count (used when a network does not fit a profile) is the same, split by path
    total, paths = count_synaptic_ops(layers, spikes)
    np.testing.assert_array_equal(total, events.synaptic_ops)
    assert set(paths) == {"input->hidden", "hidden->output"}
    assert sum(paths.values()) == pytest.approx(total.mean())


def test_energy_equals_the_hand_computed_sum_of_its_terms():
    net, X = tiny_relu_network(), tiny_inputs()
    plan = build_plan(net, X, steps=32)
    spikes = simulate(plan, X)
    profile = _one_neuron_per_core("loihi1")
    layers = plan_layers(plan)
    mapping = map_layers(layers, profile)
    events = count_events(layers, spikes, mapping, plan.slot)
    priced = price_events(events, mapping, profile)
    assert mapping.n_cores == 5 and mapping.n_chips == 1
    # Cores sit on a 12-wide mesh: hidden j on core j at (j, 0); outputs on cores 3, 4 at (3, 0), (4, 0).
    # Inputs enter at (-1, 0): input i reaches each core holding one of its targets.
    targets_in = [[0, 2], [1, 2], [0], [1]]
    targets_hidden = [[3, 4], [3], [4]]
    for image in range(len(X)):
        n_in, n_h = spikes["input"][:, image], spikes["hidden"][:, image]
        messages = sum(n_in[i] * len(t) for i, t in enumerate(targets_in)) + \
            sum(n_h[j] * len(t) for j, t in enumerate(targets_hidden))
        hops = sum(n_in[i] * sum(c + 1 for c in t) for i, t in enumerate(targets_in)) + \
            sum(n_h[j] * sum(abs(c - j) for c in t) for j, t in enumerate(targets_hidden))
        assert events.spike_messages[image] == messages
        assert events.hops[image] == hops
    syn = events.synaptic_ops.mean() * 23.6
    neuron = 5 * plan.slot * 81.0
    spike = events.spike_messages.mean() * 1.7
    hop = events.hops.mean() * 3.5
    core_ops = events.core_synaptic_ops  # one neuron per core: its synaptic ops
    latency_ns = (core_ops * 3.5 + plan.slot * 5.0).max(axis=0) + plan.slot * 113.0
    static = 29.7 * latency_ns.mean()  # mW x ns = pJ, one chip (Loihi idle power, Blouw et al. 2019)
    assert priced["breakdown_uj"]["synaptic"] == pytest.approx(syn / 1e6)
    assert priced["breakdown_uj"]["neuron"] == pytest.approx(neuron / 1e6)
    assert priced["breakdown_uj"]["spike"] == pytest.approx(spike / 1e6)
    assert priced["breakdown_uj"]["hop"] == pytest.approx(hop / 1e6)
    assert priced["breakdown_uj"]["static"] == pytest.approx(static / 1e6)
    assert priced["energy_uj"] == pytest.approx((syn + neuron + spike + hop + static) / 1e6)
    assert priced["latency_us"] == pytest.approx(latency_ns.mean() / 1e3)


def test_matrix_products_are_priced_per_mac_plus_weight_reads():
    net = tiny_relu_network()
    cpu = load_profile("cpu")
    dense = price_macs(mac_workload(net, sparse=False), cpu)
    assert dense["macs"] == 4 * 3 + 3 * 2
    words = (18 + 3 + 2) * 32 / 64
    assert dense["energy_uj"] == pytest.approx((18 * 8600 + words * 1300) / 1e6)
    sparse = price_macs(mac_workload(net, sparse=True), cpu)
    assert sparse["macs"] == 6 + 4
    assert sparse["memory_words"] == pytest.approx((10 + 5) * (32 + 32) / 64)
