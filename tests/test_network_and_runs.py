"""The saved network and the run folder: exact round trips, atomic writes, checkpoints."""

import json

import numpy as np
import pytest
import scipy.sparse as sp

from neuroplastic.atomic import atomic_write_text
from neuroplastic.errors import DataError, NeuroplasticError
from neuroplastic.network import FORMAT_VERSION, TrainedNetwork, load_network
from neuroplastic.runs import RunFolder


def tiny_network(seed=0):
    rng = np.random.default_rng(seed)
    hidden = rng.uniform(0, 1, size=(3, 16)) * (rng.random((3, 16)) < 0.4)
    output = rng.normal(size=(2, 3)) * np.array([[1, 0, 1], [0, 1, 1]])
    return TrainedNetwork(
        hidden_weights=sp.csr_matrix(hidden), hidden_bias=rng.normal(size=3),
        output_weights=sp.csr_matrix(output), output_bias=rng.normal(size=2),
        activation="relu", classes=np.array([3, 7]), metadata={"method": "hand-made"},
    )


def test_nonsilent_counts_are_the_nonzero_weights():
    net = tiny_network()
    assert net.n_nonsilent["hidden"] == int(np.count_nonzero(net.hidden_weights.toarray()))
    assert net.n_nonsilent["output"] == 4
    assert net.n_potential == {"hidden": 48, "output": 6, "total": 54}


def test_relu_network_computes_the_hand_formula():
    net = tiny_network()
    X = np.random.default_rng(1).uniform(0, 1, size=(5, 16))
    hidden = np.maximum(0, X @ net.hidden_weights.toarray().T + net.hidden_bias)
    potentials = hidden @ net.output_weights.toarray().T + net.output_bias
    np.testing.assert_allclose(net.decision_function(X), potentials, rtol=1e-12)
    np.testing.assert_array_equal(net.predict(X), net.classes[potentials.argmax(1)])


def test_save_and_load_round_trip_exactly(tmp_path):
    net = tiny_network()
    net.save(tmp_path / "net.npz")
    back = load_network(tmp_path / "net.npz")
    for name in ("hidden_weights", "output_weights"):
        assert (getattr(back, name) != getattr(net, name)).nnz == 0
        assert getattr(back, name).dtype == getattr(net, name).dtype
    np.testing.assert_array_equal(back.hidden_bias, net.hidden_bias)
    np.testing.assert_array_equal(back.classes, net.classes)
    assert back.metadata == net.metadata and back.activation == "relu"
    X = np.random.default_rng(2).uniform(0, 1, size=(20, 16))
    np.testing.assert_array_equal(back.decision_function(X), net.decision_function(X))


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "net.npz"
    tiny_network().save(path)
    with np.load(path) as archive:
        arrays = dict(archive)
    header = json.loads(arrays["header_json"].tobytes())
    header["format_version"] = FORMAT_VERSION + 1
    arrays["header_json"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(path, **arrays)
    with pytest.raises(DataError, match="newer than this neuroplastic reads"):
        load_network(path)


def test_damaged_network_file_is_reported(tmp_path):
    path = tmp_path / "net.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="net.npz: not a saved network"):
        load_network(path)


def test_wrong_input_width_and_nan_are_rejected():
    net = tiny_network()
    with pytest.raises(DataError, match=r"inputs must have shape \(n, 16\)"):
        net.predict(np.zeros((2, 15)))
    X = np.zeros((2, 16))
    X[1, 3] = np.nan
    with pytest.raises(DataError, match="NaN"):
        net.predict(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finiteness_check_rejects_nan_and_infinity_and_accepts_huge_finite_values(dtype):
    net = tiny_network()
    for bad in (np.nan, np.inf, -np.inf):
        X = np.zeros((3, 16), dtype=dtype)
        X[2, 7] = bad
        with pytest.raises(DataError, match="NaN or infinite"):
            net.predict(X)
    X = np.zeros((3, 16), dtype=dtype)
    X[0, 0] = np.finfo(dtype).max  # its square overflows the quick test, so the values are tested one by one
    assert net.predict(X[:, :]).shape == (3,)
    assert net.predict(X[:, ::1][::2]).shape == (2,)  # a non-contiguous view


def test_failed_atomic_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "metrics.json"
    atomic_write_text(path, "old")

    def explode(*args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", explode)
    with pytest.raises(OSError):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_checkpoint_round_trips_arrays_sparse_and_json(tmp_path):
    run = RunFolder(tmp_path / "run")
    rng_state = np.random.default_rng(5).bit_generator.state
    state = {"w": np.arange(6.0).reshape(2, 3), "mask": sp.csr_matrix(np.eye(3)), "rng": rng_state, "seen": 300}
    run.save_checkpoint(state)
    back = run.load_checkpoint()
    np.testing.assert_array_equal(back["w"], state["w"])
    assert (back["mask"] != state["mask"]).nnz == 0
    assert back["rng"] == rng_state and back["seen"] == 300
    run.remove_checkpoint()
    assert run.load_checkpoint() is None


def test_metrics_merge_and_log_lines(tmp_path):
    run = RunFolder(tmp_path / "run")
    run.update_metrics(a=1)
    assert run.update_metrics(b=2) == {"a": 1, "b": 2}
    run.log("first")
    run.log("second")
    lines = run.file(RunFolder.LOG).read_text().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["first", "second"]


def test_missing_run_folder_is_reported(tmp_path):
    with pytest.raises(NeuroplasticError, match="no such run folder"):
        RunFolder(tmp_path / "absent", create=False)


def test_atomic_writes_get_the_usual_file_permissions(tmp_path):
    import os

    path = tmp_path / "report.md"
    atomic_write_text(path, "text")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
