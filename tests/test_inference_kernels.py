"""The compiled inference kernel against the NumPy path, for every activation and layout."""

import numpy as np
import pytest
import scipy.sparse as sp

import neuroplastic.inference as inference
from neuroplastic.datasets import load_sample
from neuroplastic.errors import ConfigError
from neuroplastic.network import TrainedNetwork
from neuroplastic.rule.activations import ACTIVATIONS, squared_norm_bias

pytest.importorskip("numba")


def random_network(activation, *, n_inputs=60, n_hidden=37, n_classes=4, readout_density=0.1, seed=0):
    """Units with 0 to 12 synapses (every remainder of the kernel's 8- and 4-wide steps), some without readout."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for j in range(n_hidden):
        k = j % 13
        rows += [j] * k
        cols += list(rng.choice(n_inputs, k, replace=False))
    hidden = sp.csr_matrix((rng.uniform(0.05, 1.0, len(rows)), (rows, cols)), shape=(n_hidden, n_inputs),
                           dtype=np.float32)
    output = sp.random(n_classes, n_hidden, density=readout_density, random_state=seed, dtype=np.float32,
                       data_rvs=lambda n: rng.normal(size=n))
    bias = (squared_norm_bias(hidden) if activation in ("triangle", "triangle_squared", "squared_distance_triangle")
            else rng.normal(size=n_hidden)).astype(np.float32)
    return TrainedNetwork(hidden_weights=hidden, hidden_bias=bias, output_weights=output,
                          output_bias=rng.normal(size=n_classes).astype(np.float32), activation=activation,
                          classes=np.arange(n_classes) * 3)


def inputs(n, n_inputs=60, seed=1):
    """Random inputs, about 40% of them exactly zero (as MNIST's background), which the one-image path skips."""
    X = np.random.default_rng(seed).random((n, n_inputs)).astype(np.float32)
    X[X < 0.4] = 0.0
    return X


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
# one image and a few (the scalar latency path), one block (serial), several blocks (parallel)
@pytest.mark.parametrize("n", [1, inference.SINGLE, inference.SINGLE + 1, inference.BLOCK_ONE_PASS + 77])
@pytest.mark.parametrize("readout_density", [0.1, 0.9])       # sparse readout walk and dense readout product
def test_compiled_kernel_equals_numpy_path(activation, n, readout_density):
    network = random_network(activation, readout_density=readout_density)
    X = inputs(n)
    compiled = network.decision_function(X, backend="numba")
    reference = network.decision_function(X, backend="numpy")
    assert compiled.shape == reference.shape == (n, 4)
    np.testing.assert_allclose(compiled, reference, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(network.predict(X, backend="numba"), network.predict(X, backend="numpy"))


def test_activation_params_reach_the_kernel():
    network = random_network("paper_sigmoid")
    network.activation_params = {"gain": 3.0}
    X = inputs(20)
    np.testing.assert_allclose(network.decision_function(X, backend="numba"),
                               network.decision_function(X, backend="numpy"), rtol=1e-4, atol=1e-4)
    plain = random_network("paper_sigmoid").decision_function(X, backend="numba")
    assert not np.allclose(plain, network.decision_function(X, backend="numba"))


def test_dense_network_runs_as_matrix_products_and_agrees():
    rng = np.random.default_rng(3)
    network = TrainedNetwork(hidden_weights=rng.normal(size=(16, 60)).astype(np.float32),
                             hidden_bias=rng.normal(size=16).astype(np.float32),
                             output_weights=rng.normal(size=(3, 16)).astype(np.float32),
                             output_bias=np.zeros(3, np.float32), activation="relu", classes=np.arange(3))
    assert network._forward_plan().hidden_dense.shape == (60, 16)
    X = inputs(300)
    np.testing.assert_allclose(network.decision_function(X, backend="numba"),
                               network.decision_function(X, backend="numpy"), rtol=1e-4, atol=1e-4)


def test_replacing_weights_rebuilds_the_layout():
    network = random_network("triangle")
    X = inputs(10)
    before = network.decision_function(X)
    network.output_weights = sp.csr_matrix(network.output_weights.multiply(2.0))
    after = network.decision_function(X)
    np.testing.assert_allclose(after - network.output_bias, 2.0 * (before - network.output_bias), rtol=1e-4,
                               atol=1e-5)


def test_trained_sample_network_predicts_the_same_on_every_test_image(sample_network):
    network, X = sample_network
    np.testing.assert_array_equal(network.predict(X, backend="numba"), network.predict(X, backend="numpy"))


def test_saved_network_file_is_unchanged_by_the_kernel(sample_network, tmp_path):
    network, X = sample_network
    network.save(tmp_path / "a.npz")
    network.predict(X)  # builds and caches the kernel's layout
    network.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    loaded = TrainedNetwork.load(tmp_path / "b.npz")
    np.testing.assert_array_equal(loaded.predict(X), network.predict(X))


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="backend"):
        random_network("relu").predict(inputs(2), backend="cuda")


def test_auto_falls_back_to_numpy_without_numba(monkeypatch):
    monkeypatch.setattr(inference, "numba_available", lambda: False)
    assert inference.resolve_backend("auto") == "numpy"
    network = random_network("triangle")
    np.testing.assert_array_equal(network.predict(inputs(9)), network.predict(inputs(9), backend="numpy"))


@pytest.fixture(scope="module")
def sample_network():
    from neuroplastic.engines.vectorized import StructuralPlasticityClassifier

    data = load_sample()
    clf = StructuralPlasticityClassifier(n_hidden=120, hidden_epochs=1, readout_epochs=1, random_state=0)
    clf.fit(data.train.X[:600], data.train.y[:600])
    return clf.to_network(), np.asarray(data.test.X, dtype=np.float32)


@pytest.mark.slow
@pytest.mark.mnist
@pytest.mark.parametrize("activation", ["squared_distance_triangle", "triangle"])  # one pass, and the two-pass triangle
def test_compiled_and_numpy_paths_agree_on_the_full_mnist_test_set(mnist_folder, activation):
    from neuroplastic.config import load_model
    from neuroplastic.config.overrides import apply_dotted
    from neuroplastic.engines import make_learner
    from neuroplastic.runner import prepare_data

    model = apply_dotted(load_model("mnist_sparse"), {"training.hidden_epochs": 1, "training.readout_epochs": 1,
                                                      "data.n_train": 20000, "network.activation": activation})
    data = prepare_data(model, mnist_folder)
    network = make_learner(model).fit(data.X_train, data.y_train).to_network()
    X = np.asarray(data.X_test, dtype=np.float32)
    assert X.shape[0] == 10000
    np.testing.assert_array_equal(network.predict(X, backend="numba"), network.predict(X, backend="numpy"))
