"""Neurons too large for a core are split into partial-sum compartments; they compute the same and always fit."""

import dataclasses

import numpy as np
import scipy.sparse as sp

from neuroplastic.datasets import load_sample
from neuroplastic.hardware.evaluate import place_plan
from neuroplastic.hardware.mapping import plan_layers
from neuroplastic.hardware.profiles import Quantity, available_profiles, load_profile
from neuroplastic.hardware.rate_code import build_plan, simulate
from neuroplastic.hardware.splitting import PARTIAL_SUFFIX, partial_spike_counts, split_layers
from neuroplastic.network import TrainedNetwork

from small_networks import prototype_network


def _profile(name="loihi1", **overrides):
    base = load_profile(name)
    quantities = dict(base.quantities)
    for field, value in overrides.items():
        quantities[field] = Quantity(float(value), quantities[field].unit, "test")
    return dataclasses.replace(base, quantities=quantities)


def _recomposed(layers):
    """Each split layer's synapses as seen from its original sources: direct part + roots x compartments."""
    named = {layer.name: layer for layer in layers}
    out = {}
    for layer in layers:
        if layer.name.endswith(PARTIAL_SUFFIX):
            continue
        last, size = layer.sources[-1]
        if last.endswith(PARTIAL_SUFFIX):
            n = layer.fan_in.shape[1] - size
            out[layer.name] = (layer.fan_in[:, :n] + layer.fan_in[:, n:] @ named[last].fan_in).tocsr()
        else:
            out[layer.name] = layer.fan_in.tocsr()
    return out


def test_a_split_neuron_fires_the_same_spikes_as_the_unsplit_one():
    data = load_sample()
    plan = build_plan(prototype_network(), data.train.X[:500], steps=16, hidden_rate=0.5, inhibition_rate=0.5)
    X = data.test.X[:40]
    original = plan_layers(plan)
    profile = _profile(input_axons_per_core=48)
    layers, splits = split_layers(original, profile)
    assert {s.layer for s in splits} >= {"hidden", "inhibition"}
    assert all(np.diff(layer.fan_in.indptr).max() <= 48 for layer in layers)
    # the compartments and roots carry exactly the original weights ...
    recomposed = _recomposed(layers)
    for layer in original:
        assert (recomposed[layer.name] != layer.fan_in.tocsr()).nnz == 0, layer.name
    # ... so the rate-coded simulator, run on what the split neurons compute, gives the unsplit spike counts
    n_in = plan.n_inputs
    split_plan = dataclasses.replace(plan, hidden_weights=recomposed["hidden"][:, :n_in].astype(np.int32),
                                     inhibition_weights=recomposed["inhibition"].astype(np.int32))
    reference, split = simulate(plan, X), simulate(split_plan, X)
    for name in ("hidden", "inhibition", "output", "output_last"):
        np.testing.assert_array_equal(split[name], reference[name], err_msg=name)
    # every compartment messages its root at most once per step, and only when it received spikes
    counts = partial_spike_counts(splits, {k: reference[k] for k in ("input", "hidden", "inhibition", "output")},
                                  plan.slot)
    messages = counts["hidden" + PARTIAL_SUFFIX]
    assert messages.shape[0] == splits[0].compartments and 0 < messages.max() <= plan.slot


def dense_bp(n_hidden=800, seed=0):
    rng = np.random.default_rng(seed)
    magnitudes = rng.uniform(0.5, 1.0, (n_hidden, 784)) * 0.05  # all survive 8-bit quantisation
    return TrainedNetwork(hidden_weights=magnitudes * rng.choice([-1.0, 1.0], magnitudes.shape), hidden_bias=rng.normal(0, 0.1, n_hidden),
                          output_weights=rng.normal(0, 0.1, (10, n_hidden)), output_bias=np.zeros(10),
                          activation="relu", classes=np.arange(10))


def test_dense_bp_784_800_10_fits_every_bundled_neuromorphic_profile():
    data = load_sample()
    plan = build_plan(dense_bp(), data.train.X[:200], steps=16)
    assert sp.csr_matrix(plan.hidden_weights).nnz > 0.99 * 800 * 784
    fitted = 0
    for name in available_profiles():
        profile = load_profile(name)
        if not profile.is_neuromorphic:
            continue
        layers, splits, mapping = place_plan(plan, profile)
        axons = int(profile["input_axons_per_core"])
        assert all(core["input_axons"] <= axons for core in mapping.cores), name
        assert bool(splits) == (axons < 800), name  # only the cores with fewer axons than the fan-in split
        fitted += 1
    assert fitted == 4
