"""Sweeps: the dynamics figures per cell and setting, the reference group (the common base model) and the
comparison of every group with it. The cells are written by hand beforehand, so nothing trains."""

import csv
import json
import statistics
from pathlib import Path

import pytest

from neuroplastic.cli.main import main
from neuroplastic.config.loader import base_chain
from neuroplastic.experiments import sweep
from neuroplastic.experiments.sweep_reference import compare_to_reference, find_reference
from neuroplastic.experiments.sweep_tables import aggregate_sweep, mean_turnover_after_first_pass

MODELS = Path(__file__).resolve().parents[1] / "models"

BASE = """
[model]
name = "base"
description = "tiny reference test model"

[data]
dataset = "mnist-sample"
n_train = 400

[network]
n_hidden = 16
"""

DERIVED = """extends = "{base}"

[model]
name = "{name}"

[network]
n_hidden = {n_hidden}
"""


def write_models(folder):
    """base.toml and two models a, b (in a sub-folder) that extend it."""
    folder = Path(folder)
    (folder / "regimes").mkdir()
    base = folder / "base.toml"
    base.write_text(BASE, encoding="utf-8")
    paths = []
    for name, n_hidden in (("a", 12), ("b", 20)):
        path = folder / "regimes" / f"{name}.toml"
        path.write_text(DERIVED.format(base="../base.toml", name=name, n_hidden=n_hidden), encoding="utf-8")
        paths.append(path)
    return base, paths


def metrics(accuracy, turnover, lifetime):
    return {"test_accuracy": accuracy, "nonsilent_synapses": {"hidden": 90, "output": 10, "total": 100},
            "potential_synapses": {"hidden": 1000}, "nonsilent_fraction_hidden": 0.09, "train_seconds": 0.1,
            "dynamics": {"grown": 5, "eliminated": 4, "mean_lifetime": lifetime, "turnover_per_pass": turnover,
                         "min_turnover_after_first_pass": min(t for t in turnover[1:] if t is not None)}}


# Per model stem, per seed: (test accuracy, turnover per pass, mean lifetime). Against base:
# a differs by far more than 2 sd in accuracy only, b by less than 2 sd in everything.
FIGURES = {
    "base": [(0.80, [None, 0.10, 0.20], 1000.0), (0.81, [None, 0.12, 0.22], 1100.0),
             (0.82, [None, 0.14, 0.24], 1200.0)],
    "a": [(0.90, [None, 0.10, 0.20], 1000.0), (0.91, [None, 0.12, 0.22], 1100.0),
          (0.92, [None, 0.14, 0.24], 1200.0)],
    "b": [(0.805, [None, 0.11, None, 0.21], 1050.0), (0.815, [None, 0.13, 0.23], 1150.0),
          (0.825, [None, 0.15, 0.25], 1250.0)],
}


def write_cells(cells, out, figures=FIGURES):
    """Each cell complete on disk, as a finished run leaves it."""
    for cell in cells:
        folder = Path(out) / "cells" / cell.cell_id
        folder.mkdir(parents=True)
        (folder / sweep.DEFINITION).write_text(cell.definition, encoding="utf-8")
        accuracy, turnover, lifetime = figures[Path(cell.model_file).stem][cell.seed]
        (folder / "metrics.json").write_text(json.dumps(metrics(accuracy, turnover, lifetime)), encoding="utf-8")


def prepare(tmp_path, models, seeds=3):
    """The sweep folder with every cell (reference included) complete."""
    out = tmp_path / "out"
    planned, _ = sweep.with_reference(models)
    write_cells(sweep.plan_sweep(planned, None, seeds), out)
    return out


def test_mean_turnover_leaves_out_the_first_pass_and_missing_passes():
    assert mean_turnover_after_first_pass({"dynamics": {"turnover_per_pass": [0.9, 0.1, None, 0.3]}}) == \
        pytest.approx(0.2)
    assert mean_turnover_after_first_pass({"dynamics": {"turnover_per_pass": [None]}}) is None
    assert mean_turnover_after_first_pass({"dynamics": None}) is None
    assert mean_turnover_after_first_pass({}) is None


def test_dynamics_figures_are_aggregated_over_seeds(tmp_path):
    base, (a, _) = write_models(tmp_path)
    cells = sweep.plan_sweep([a], None, seeds=3)
    write_cells(cells, tmp_path)
    result = aggregate_sweep(cells, tmp_path)

    (entry,) = result["summary"]
    later = [statistics.mean(t for t in turnover[1:] if t is not None) for _, turnover, _ in FIGURES["a"]]
    lifetimes = [lifetime for _, _, lifetime in FIGURES["a"]]
    minima = [min(turnover[1:]) for _, turnover, _ in FIGURES["a"]]
    assert [r["mean_turnover_after_first_pass"] for r in result["cells"]] == pytest.approx(later)
    assert entry["mean_turnover_after_first_pass_mean"] == pytest.approx(statistics.mean(later))
    assert entry["mean_turnover_after_first_pass_sd"] == pytest.approx(statistics.stdev(later))
    assert entry["dynamics.mean_lifetime_mean"] == pytest.approx(statistics.mean(lifetimes))
    assert entry["dynamics.mean_lifetime_sd"] == pytest.approx(statistics.stdev(lifetimes))
    assert entry["dynamics.min_turnover_after_first_pass_mean"] == pytest.approx(statistics.mean(minima))
    assert entry["dynamics.min_turnover_after_first_pass_sd"] == pytest.approx(statistics.stdev(minima))
    with open(tmp_path / "summary.csv", newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert float(row["dynamics.mean_lifetime_mean"]) == pytest.approx(statistics.mean(lifetimes))
    assert float(row["mean_turnover_after_first_pass_sd"]) == pytest.approx(statistics.stdev(later))
    markdown = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "mean lifetime (presentations)" in markdown
    assert f"{statistics.mean(lifetimes):,.0f} ± {statistics.stdev(lifetimes):,.0f}" in markdown
    assert f"{100 * statistics.mean(later):.2f} ± {100 * statistics.stdev(later):.2f}" in markdown
    assert result["comparison"] == [] and "Against the reference" not in markdown


def test_the_common_base_of_the_bundled_regimes_is_mnist_sparse():
    regimes = sorted((MODELS / "regimes").glob("*.toml"))
    found = find_reference(regimes)
    assert Path(found["model_file"]).resolve() == (MODELS / "mnist_sparse.toml").resolve()
    assert found["listed"] is False and ".." not in Path(found["model_file"]).parts
    listed = find_reference([MODELS / "mnist_sparse.toml", *regimes])
    assert listed["listed"] is True and listed["model_file"] == str(MODELS / "mnist_sparse.toml")
    assert find_reference([MODELS / "mnist.toml"]) is None  # extends nothing


def test_the_reference_is_the_nearest_common_base(tmp_path):
    base, (a, b) = write_models(tmp_path)
    c = tmp_path / "regimes" / "c.toml"
    c.write_text(DERIVED.format(base="a.toml", name="c", n_hidden=8), encoding="utf-8")
    assert [p.resolve() for p in base_chain(c)] == [a.resolve(), base.resolve()]
    assert Path(find_reference([c, b])["model_file"]).resolve() == base.resolve()
    assert find_reference([c, a]) == {"model_file": str(a), "listed": True}
    assert Path(find_reference([c])["model_file"]).resolve() == a.resolve()


def test_models_without_a_common_base_get_no_reference(tmp_path):
    _, (a, _) = write_models(tmp_path)
    other = tmp_path / "other.toml"
    other.write_text(BASE.replace('"base"', '"other"'), encoding="utf-8")
    assert sweep.with_reference([a, other]) == ([str(a), str(other)], None)


def test_cli_adds_the_base_as_reference_and_compares(tmp_path, capsys):
    base, models = write_models(tmp_path)
    out = prepare(tmp_path, models)
    code = main(["sweep", *map(str, models), "--seeds", "3", "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"reference: {base}, the base the model files extend, added to the sweep" in printed
    assert "base (reference)" in printed and "lifetime" in printed and "turnover/pass" in printed
    assert "a against base: acc +10.00 pp (differs)" in printed

    record = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert record["reference"] == {"model_file": str(base), "listed": False, "added": True}
    assert sorted(r["cell"] for r in record["cells"] if r["reference"]) == ["base-seed0", "base-seed1", "base-seed2"]
    assert [s["group"] for s in record["summary"] if s["reference"]] == ["base"]
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert f"Reference: `{base}`" in markdown and "added to the sweep automatically" in markdown
    assert "## Against the reference" in markdown
    assert "\\|difference\\| > 2 × max(sd, reference sd)?" in markdown


def test_a_listed_base_is_not_added_twice(tmp_path, capsys):
    base, models = write_models(tmp_path)
    out = prepare(tmp_path, [base, *models])
    assert main(["sweep", str(base), *map(str, models), "--seeds", "3", "--out", str(out), "--quiet"]) == 0
    assert "is listed already" in capsys.readouterr().out
    record = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert len(record["cells"]) == 9
    assert sum(r["reference"] for r in record["cells"]) == 3
    assert record["reference"]["added"] is False and len(record["comparison"]) == 2


def test_no_reference_leaves_the_base_out(tmp_path, capsys):
    _, models = write_models(tmp_path)
    out = prepare(tmp_path, models)
    code = main(["sweep", *map(str, models), "--seeds", "3", "--out", str(out), "--quiet", "--no-reference"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "reference:" not in printed and "(reference)" not in printed and "against" not in printed
    record = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert record["reference"] is None and record["comparison"] == []
    assert {r["model"] for r in record["cells"]} == {"a", "b"}
    assert "Against the reference" not in (out / "summary.md").read_text(encoding="utf-8")


def test_a_difference_beyond_two_sd_is_flagged_and_a_smaller_one_not(tmp_path):
    _, models = write_models(tmp_path)
    out = tmp_path / "out"
    planned, found = sweep.with_reference(models)
    cells = sweep.plan_sweep(planned, None, 3)
    write_cells(cells, out)
    result = aggregate_sweep(cells, out, found)

    by_group = {c["group"]: c for c in result["comparison"]}
    assert set(by_group) == {"a", "b"} and by_group["a"]["reference_group"] == "base"
    accuracy = by_group["a"]["figures"]["test_accuracy"]
    reference_acc = [acc for acc, _, _ in FIGURES["base"]]
    a_acc = [acc for acc, _, _ in FIGURES["a"]]
    assert accuracy["difference"] == pytest.approx(statistics.mean(a_acc) - statistics.mean(reference_acc))
    assert accuracy["threshold"] == pytest.approx(2 * max(statistics.stdev(a_acc), statistics.stdev(reference_acc)))
    assert by_group["a"]["differs_in"] == ["test_accuracy"]  # turnover and lifetime are the reference's own
    b = by_group["b"]["figures"]
    for figure in ("test_accuracy", "mean_turnover_after_first_pass", "dynamics.mean_lifetime"):
        assert b[figure]["difference"] != 0 and abs(b[figure]["difference"]) < b[figure]["threshold"]
        assert b[figure]["differs"] is False
    assert by_group["b"]["differs_in"] == []
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert markdown.count("**yes**") == 1


def test_one_seed_cannot_be_judged():
    summary = [{"group": g, "reference": g == "base", "n_seeds": 1,
                **{f"{f}_mean": m for f, m in (("test_accuracy", acc), ("mean_turnover_after_first_pass", 0.1),
                                               ("dynamics.mean_lifetime", 100.0))},
                **{f"{f}_sd": None for f in ("test_accuracy", "mean_turnover_after_first_pass",
                                             "dynamics.mean_lifetime")}}
               for g, acc in (("base", 0.5), ("a", 0.9))]
    (comparison,) = compare_to_reference(summary, [])
    judged = comparison["figures"]["test_accuracy"]
    assert judged["difference"] == pytest.approx(0.4)
    assert judged["differs"] is None and "2 seeds" in judged["reason"]
    assert comparison["differs_in"] == []
