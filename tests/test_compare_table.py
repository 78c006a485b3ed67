"""The comparison table: one row per method, size and seed; mean ± sd; files in three formats."""

import csv
import json
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs jax: pip install 'neuroplastic[baselines]'")

from neuroplastic.datasets import LabelledImages
from neuroplastic.experiments.compare import (PAPER_TABLE, compare, markdown_table, select_hyperparameters, summarise,
                                              write_outputs)

REQUIRED = ("method", "hidden", "accuracy", "i_xz_bits", "nonsilent_synapses", "c_s")


def toy_images(n_per_class, seed):
    """4x4 images of three digits '1', '2', '6': a bright row, column or diagonal with noise."""
    rng = np.random.default_rng(seed)
    prototypes = np.zeros((3, 4, 4))
    prototypes[0, 1, :] = 1
    prototypes[1, :, 2] = 1
    prototypes[2][np.eye(4, dtype=bool)] = 1
    images = np.concatenate([np.clip(p + 0.25 * rng.standard_normal((n_per_class, 4, 4)), 0, 1) for p in prototypes])
    return LabelledImages((255 * images).astype(np.uint8), np.repeat([1, 2, 6], n_per_class))


class CentroidStandIn:
    """A trivial stand-in for our rule: one non-negative prototype per hidden unit, no training beyond means."""

    def __init__(self, *, n_hidden, random_state=None):
        self.n_hidden = n_hidden
        self.random_state = random_state

    def fit(self, X, y):
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.unique(y)
        pick = rng.choice(len(X), self.n_hidden, replace=False)
        self.W_ = np.where(X[pick] > 0.5, X[pick], 0.0)  # sparse prototypes
        H = np.maximum(X @ self.W_.T - 1.0, 0)
        self.V_ = np.stack([H[y == c].mean(axis=0) for c in self.classes_])
        return self

    def to_network(self):
        from neuroplastic.network import TrainedNetwork

        return TrainedNetwork(hidden_weights=self.W_, hidden_bias=-np.ones(self.n_hidden), output_weights=self.V_,
                              output_bias=np.zeros(self.classes_.size), activation="relu", classes=self.classes_)


MODEL = SimpleNamespace(model=SimpleNamespace(name="toy"),
                        data=SimpleNamespace(dataset="toy", classes=(1, 2, 6), validation_fraction=0.2),
                        training=SimpleNamespace(seed=0))


@pytest.fixture(scope="module")
def result():
    data = (toy_images(40, 0), toy_images(20, 1))
    learners = {"rule": lambda n_hidden, seed, **p: CentroidStandIn(n_hidden=n_hidden, random_state=seed)}
    return compare(MODEL, [4, 8], 2, data=data, methods=("bp", "rule"), learners=learners, select=False,
                   vib_settings={"epochs": 2, "latent_dim": 3}, estimator_seeds=2, progress=False)


def test_compare_has_one_run_per_method_size_and_seed(result):
    runs = result["runs"]
    assert len(runs) == 2 * 2 * 2
    assert {(r["method"], r["hidden"], r["seed"]) for r in runs} == {
        (m, h, s) for m in ("bp", "rule") for h in (4, 8) for s in (0, 1)}
    for run in runs:
        assert all(run[name] is not None for name in REQUIRED)
        assert run["c_s"] == pytest.approx(run["i_xz_bits"] / run["nonsilent_synapses"])
    dense = [r for r in runs if r["method"] == "bp"]
    assert all(r["nonsilent_synapses"] == 16 * r["hidden"] for r in dense)  # dense BP: every synapse counts


def test_table_rows_are_means_and_sds_over_seeds(result):
    table = result["table"]
    assert [(row["hidden"], row["method"]) for row in table] == [(4, "bp"), (4, "rule"), (8, "bp"), (8, "rule")]
    for row in table:
        values = [r["accuracy"] for r in result["runs"] if r["method"] == row["method"] and r["hidden"] == row["hidden"]]
        assert row["accuracy"] == pytest.approx(np.mean(values))
        assert row["accuracy_sd"] == pytest.approx(np.std(values, ddof=1))
        assert "i_xz_bits_estimator_sd" in row  # the VIB's own spread, from the first seed's extra fits


def test_write_outputs_gives_markdown_csv_and_json(result, tmp_path):
    paths = write_outputs(result, tmp_path / "out")
    rows = json.loads(paths["json"].read_text())
    assert len(rows) == 4 and all(set(REQUIRED) <= set(row) for row in rows)
    with open(paths["csv"], newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    assert len(csv_rows) == 4 and set(REQUIRED) <= set(csv_rows[0])
    markdown = paths["markdown"].read_text()
    assert markdown.count("\n| 4 |") == 2 and "±" in markdown
    everything = json.loads(paths["all"].read_text())
    assert len(everything["runs"]) == 8 and everything["settings"]["seeds"] == [0, 1]


def test_table_shows_c_s_with_both_bounds_side_by_side(result, tmp_path):
    markdown = markdown_table(result)
    header = next(line for line in markdown.splitlines() if line.startswith("| hidden"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert "C_S fixed prior" in columns and "C_S fitted prior" in columns
    fixed, fitted = columns.index("C_S fixed prior"), columns.index("C_S fitted prior")
    assert fitted == fixed + 1
    for row, line in zip(result["table"], [ln for ln in markdown.splitlines() if ln.startswith("| 4 |")
                                           or ln.startswith("| 8 |")]):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[fixed].startswith(format(row["c_s"], ".4g"))
        assert cells[fitted].startswith(format(row["c_s_marginal"], ".4g"))
        assert row["c_s_marginal"] <= row["c_s"] * (1 + 1e-6)  # the fitted prior's bound is the tighter one
    with open(write_outputs(result, tmp_path)["csv"], newline="") as handle:
        assert {"c_s", "c_s_marginal", "c_s_marginal_sd"} <= set(next(csv.DictReader(handle)))


def test_summary_carries_the_papers_figures_for_comparison():
    runs = [{"method": "bp", "hidden": 10, "seed": s, "accuracy": a, "i_xz_bits": 20.0, "nonsilent_synapses": 7840,
             "c_s": 20 / 7840} for s, a in enumerate((0.99, 0.98))]
    (row,) = summarise(runs)
    assert row["paper_accuracy"] == PAPER_TABLE[(10, "bp")][0]
    assert row["accuracy"] == pytest.approx(0.985)
    assert "BP" in markdown_table({"table": [row], "wall_time_s": 1.0, "settings": {
        "model": "m", "dataset": "d", "classes": [1, 2, 6], "n_train": 1, "n_validation": 1, "n_test": 1,
        "seeds": [0, 1], "vib": {"latent_dim": None, "beta": 1e-3, "epochs": 30}}})


class _Fixed:
    """A learner whose validation accuracy and synapse count are set by its hyperparameter."""

    FIGURES = {1: (0.990, 900), 2: (0.988, 500), 3: (0.950, 100)}

    def __init__(self, level):
        self.level = level

    def fit(self, X, y):
        return self

    def score(self, X, y):
        return self.FIGURES[self.level][0]

    def to_network(self):
        return SimpleNamespace(n_nonsilent={"hidden": self.FIGURES[self.level][1]})


def test_selection_takes_the_sparsest_candidate_within_half_a_point(monkeypatch):
    import importlib

    module = importlib.import_module("neuroplastic.experiments.compare")

    monkeypatch.setitem(module.SEARCH, "set", [{"level": 1}, {"level": 2}, {"level": 3}])
    images = toy_images(2, 0)
    choice = select_hyperparameters("set", 4, images, images, learner=lambda level: _Fixed(level))
    assert choice["chosen"] == {"level": 2}  # 3 is sparser but 4 points worse; 1 is denser
    assert [c["val_accuracy"] for c in choice["candidates"]] == [0.990, 0.988, 0.950]


def test_compare_command_takes_the_issue_options():
    from neuroplastic.cli.main import build_parser

    args = build_parser().parse_args(["compare", "--model", "models/paper_126.toml", "--hidden", "10", "30", "100",
                                      "200", "--seeds", "3", "--out", "DIR"])
    assert args.hidden == [10, 30, 100, 200] and args.seeds == 3 and args.out == "DIR"
