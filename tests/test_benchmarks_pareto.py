"""benchmarks/pareto.py measures its dense-BP points with the project's own BP; it prints nothing it did not measure."""

from pathlib import Path

import pytest
from benchmark_scripts import load_benchmark

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pareto():
    return load_benchmark("pareto")


def test_dense_bp_points_are_measured_with_the_projects_backprop(pareto):
    from neuroplastic.baselines import BackpropClassifier
    from neuroplastic.config import parse_model
    from neuroplastic.runner import prepare_data

    model = parse_model('[model]\nname = "p"\n[data]\ndataset = "mnist-sample"\nclasses = [0, 1, 2]\n'
                        'validation_fraction = 0.2\n[network]\nn_hidden = 4\n', source="test")
    data = prepare_data(model)
    points = pareto.dense_bp_points(data, [3], epochs=1, seed=3)
    assert [p["hidden"] for p in points] == [3]
    for point in points:
        again = BackpropClassifier(n_hidden=point["hidden"], epochs=1, random_state=3).fit(data.X_train, data.y_train)
        assert point["test_accuracy"] == pytest.approx(again.score(data.X_test, data.y_test))
        assert point["validation_accuracy"] == pytest.approx(again.score(data.X_val, data.y_val))
        assert point["synapses"] == again.to_network().n_nonsilent["total"]
        assert 0 < point["synapses"] <= point["hidden"] * (784 + 3)


def test_pareto_prints_no_hard_coded_accuracy(pareto):
    source = (ROOT / "benchmarks" / "pareto.py").read_text(encoding="utf-8")
    assert not hasattr(pareto, "DENSE_BP")
    assert "0.9" not in source and "scikit-learn" not in source.lower()
