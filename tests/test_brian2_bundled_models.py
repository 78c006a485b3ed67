"""Every bundled model trains with the Brian2 engine in both forms of the rule, and none is refused."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from neuroplastic.config import load_model
from neuroplastic.datasets import load_sample
from neuroplastic.engines.brian2 import make_brian2_learner

MODELS = sorted((Path(__file__).resolve().parents[1] / "models").glob("*.toml"))


@pytest.fixture(scope="module")
def sample():
    data = load_sample()
    return data.train.X[:400], data.train.y[:400]


@pytest.mark.parametrize("mode", ["rate", "spiking"])
@pytest.mark.parametrize("path", MODELS, ids=[path.stem for path in MODELS])
def test_every_bundled_model_trains_in_brian2(path, mode, sample, tmp_path):
    model = load_model(path)
    X, y = sample
    classes = model.data.classes or list(range(10))
    keep = np.isin(y, classes)
    X, y = X[keep][:48], y[keep][:48]
    learner = make_brian2_learner(model, mode, target="numpy", build_dir=tmp_path)
    n_hidden = 12
    output = learner.output
    if output.synapses_per_unit is not None:  # the model's output budget, scaled down with the layer
        output = dataclasses.replace(output, synapses_per_unit=min(output.synapses_per_unit, n_hidden // 2))
    learner.set_params(n_hidden=n_hidden, hidden_epochs=1, readout_epochs=1, output=output)
    learner.fit(X, y)
    network = learner.to_network()
    budget = model.rule.rewiring.max_synapses_per_unit
    per_unit = np.diff(network.hidden_weights.tocsr().indptr)
    assert network.activation == model.network.activation and per_unit.max() <= budget and per_unit.sum() > 0
    assert set(np.unique(learner.predict(X))) <= set(classes)
    if output.synapses_per_unit is not None:
        assert (sp.csr_matrix(network.output_weights).getnnz(axis=1) <= output.synapses_per_unit).all()
    assert learner.score(X, y) > 1.0 / len(classes) - 0.2  # it ran end to end and predicts
