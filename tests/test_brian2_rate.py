"""The rate form in Brian2 executes the same rule as the vectorized engine (batch size 1)."""

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import Brian2Classifier
from neuroplastic.engines.vectorized import StructuralPlasticityClassifier
from neuroplastic.errors import ConfigError
from neuroplastic.rule.params import HomeostasisParams, OutputRuleParams, RewiringParams


@pytest.fixture(scope="module")
def images():
    train = load_sample().train
    return train.X[:500], train.y[:500]


def _pair(**kwargs):
    common = dict(n_hidden=8, epochs=2, batch_size=1, homeostasis=HomeostasisParams(strength=30.0, time_constant=50.0))
    common.update(kwargs)
    return StructuralPlasticityClassifier(**common), Brian2Classifier(mode="rate", target="numpy", **common)


def test_rate_form_reaches_the_vectorized_weights_after_500_presentations_without_rewiring(images):
    X, y = images
    vectorized, brian2 = _pair(rewiring=RewiringParams(period=1_000_000), random_state=7)
    vectorized.fit(X, y, max_presentations=500)
    brian2.fit(X, y, max_presentations=500)
    expected = vectorized.hidden_weights_.toarray()
    assert expected.max() > 0.2  # the winners did move towards the images
    np.testing.assert_allclose(brian2.hidden_weights_.toarray(), expected, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(brian2._state["counts"], vectorized._state["counts"])


def test_rate_form_rewiring_keeps_the_vectorized_nonsilent_counts_in_expectation(images):
    X, y = images[0][:200], images[1][:200]
    rewiring = RewiringParams(period=50, elimination_threshold=0.06, growth_probability=0.05, growth_weight=0.08)
    counts = {"vectorized": [], "brian2": []}
    for seed in range(4):
        vectorized, brian2 = _pair(n_hidden=6, rewiring=rewiring, random_state=seed)
        for name, learner in (("vectorized", vectorized), ("brian2", brian2)):
            learner.fit(X, y, max_presentations=200)
            counts[name].append([record["nonsilent_hidden"] for record in learner.history_])
    vectorized, brian2 = np.mean(counts["vectorized"], axis=0), np.mean(counts["brian2"], axis=0)
    assert len(vectorized) == len(brian2) == 4
    assert vectorized[0] < 0.8 * 6 * 784  # elimination did act
    np.testing.assert_allclose(brian2, vectorized, rtol=0.03)


def test_rate_learner_writes_the_vectorized_history_and_network_formats(images):
    X, y = images[0][:60], images[1][:60]
    kwargs = dict(n_hidden=5, epochs=3, rewiring=RewiringParams(period=30, synapses_per_unit=20),
                  output=OutputRuleParams(n_perturbations=2), random_state=0)
    brian2 = Brian2Classifier(mode="rate", target="numpy", **kwargs).fit(X, y)
    vectorized = StructuralPlasticityClassifier(batch_size=1, **kwargs).fit(X, y)
    assert [set(r) for r in brian2.history_] == [set(vectorized.history_[0])] * len(brian2.history_)
    assert [r["phase"] for r in brian2.history_] == [r["phase"] for r in vectorized.history_]
    network = brian2.to_network()
    assert network.metadata["engine"] == "brian2-rate"
    assert network.n_nonsilent["hidden"] == 5 * 20
    assert brian2.history_[-1]["train_accuracy"] is not None


def test_rate_form_refuses_the_standalone_target():
    with pytest.raises(ConfigError, match="target"):
        Brian2Classifier(mode="rate", target="cpp_standalone", n_hidden=3, epochs=2).fit(
            np.random.default_rng(0).random((10, 4)), np.arange(10) % 2)
