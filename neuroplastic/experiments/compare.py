"""The paper's table: every method at every hidden size and seed, with its information figures.

For each hidden size the baselines' sparsity hyperparameters are chosen on
a stratified validation split (seed 0 of each candidate); then every method
is trained with each seed on the training part, and accuracy, I(X;Z), the
non-silent input->hidden synapses and C_S are measured on the test set. The
test set is used for nothing else.
"""

import math
import time

import numpy as np

from ..analysis import DEFAULT_VIB, analyze_network, vib_information
from ..baselines import BASELINES
from ..errors import ConfigError

__all__ = ["METHODS", "PAPER_TABLE", "SEARCH", "compare", "select_hyperparameters", "summarise", "rule_learner",
           "markdown_table", "write_outputs"]

#: Methods in table order; "rule" is our structural-plasticity learner.
METHODS = ("bp", "constrained_bp", "pruned_bp", "set", "rule")

LABELS = {
    "bp": "BP",
    "constrained_bp": "constrained BP (Chorowski & Zurada)",
    "pruned_bp": "pruned BP (Han et al.)",
    "set": "SET (Mocanu et al.)",
    "rule": "our rule",
}

#: The paper's Table 2 (digits 1, 2, 6): (hidden, method) -> (accuracy, I(X;Z) bits, C_S); Stricker, Röhrbein
#: and Knoblauch, Bernstein Conference 2024 (see docs/paper.md).
PAPER_TABLE = {
    (10, "bp"): (0.9901, 22.50, 0.00287), (10, "constrained_bp"): (0.9834, 16.10, 0.0108),
    (10, "rule"): (0.6429, 12.80, 0.0163),
    (30, "bp"): (0.9917, 127.62, 0.00543), (30, "constrained_bp"): (0.9901, 72.99, 0.0222),
    (30, "rule"): (0.8621, 52.18, 0.0666),
    (100, "bp"): (0.9923, 435.93, 0.00556), (100, "constrained_bp"): (0.9910, 217.43, 0.0593),
    (100, "rule"): (0.8979, 198.33, 0.253),
    (200, "bp"): (0.9917, 518.79, 0.00331), (200, "constrained_bp"): (0.9910, 402.91, 0.131),
    (200, "rule"): (0.9555, 372.66, 0.475),
}

#: Candidates tried on the validation split. BP takes the most accurate; the
#: sparse methods take the sparsest candidate within SPARSITY_TOLERANCE of
#: the most accurate one.
SEARCH = {
    "bp": [{"epochs": 10}, {"epochs": 20}],
    "constrained_bp": [{"activation": a, "l1": l1} for a in ("relu", "sigmoid") for l1 in (1e-6, 1e-5, 1e-4)],
    "pruned_bp": [{"target_sparsity": s} for s in (0.8, 0.9, 0.95)],
    "set": [{"epsilon": e} for e in (2.0, 5.0, 10.0)],
}

#: Validation accuracy a sparser candidate may give up (fraction, i.e. 0.5 points).
SPARSITY_TOLERANCE = 0.005


def rule_learner(model, n_hidden, seed):
    """Our rule's learner (the vectorized engine), built from the model definition with
    ``n_hidden`` and the seed overridden."""
    from ..config import with_overrides
    from ..engines import make_learner

    return make_learner(with_overrides(model, network={"n_hidden": int(n_hidden)}, training={"seed": int(seed)}))


def _candidates(method):
    return list(SEARCH.get(method) or [{}])


def select_hyperparameters(method, n_hidden, train, validation, *, learner=None, tolerance=SPARSITY_TOLERANCE,
                           on_fit=None):
    """Choose a baseline's hyperparameters for one hidden size on the validation split.

    Returns
    -------
    dict
        ``{"chosen": {...}, "candidates": [{"params", "val_accuracy", "nonsilent_hidden"}, ...]}``.
    """
    make = learner or (lambda **p: BASELINES[method](n_hidden=n_hidden, random_state=0, **p))
    tried = []
    for params in _candidates(method):
        clf = make(**params).fit(train.X, train.y)
        tried.append({"params": params, "val_accuracy": clf.score(validation.X, validation.y),
                      "nonsilent_hidden": clf.to_network().n_nonsilent["hidden"]})
        if on_fit is not None:
            on_fit()
    best = max(t["val_accuracy"] for t in tried)
    if method == "bp" or len(tried) == 1:
        chosen = max(tried, key=lambda t: t["val_accuracy"])
    else:
        chosen = min((t for t in tried if t["val_accuracy"] >= best - tolerance), key=lambda t: t["nonsilent_hidden"])
    return {"chosen": chosen["params"], "candidates": tried}


def _mean_sd(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return None, None
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


SUMMARY_FIELDS = ("accuracy", "i_xz_bits", "i_xz_bits_marginal", "nonsilent_synapses", "nonsilent_output", "c_s",
                  "c_s_marginal", "i_xz_bits_plugin", "knoblauch_capacity_per_synapse", "fit_time_s")


def summarise(runs):
    """One row per method and hidden size: mean and sd (over seeds) of every figure."""
    rows = []
    keys = sorted({(r["hidden"], METHODS.index(r["method"]) if r["method"] in METHODS else 99, r["method"])
                   for r in runs})
    for hidden, _, method in keys:
        group = [r for r in runs if r["hidden"] == hidden and r["method"] == method]
        row = {"method": method, "label": LABELS.get(method, method), "hidden": hidden, "n_seeds": len(group)}
        for name in SUMMARY_FIELDS:
            row[name], row[f"{name}_sd"] = _mean_sd([r.get(name) for r in group])
        estimator_sd = [r["i_xz_bits_estimator_sd"] for r in group if r.get("i_xz_bits_estimator_sd") is not None]
        if estimator_sd:
            row["i_xz_bits_estimator_sd"] = float(np.mean(estimator_sd))
        paper = PAPER_TABLE.get((hidden, method))
        if paper:
            row["paper_accuracy"], row["paper_i_xz_bits"], row["paper_c_s"] = paper
        rows.append(row)
    return rows


def _run_row(method, n_hidden, seed, clf, fit_time_s, train, test, vib_settings, estimator_seeds):
    network = clf.to_network()
    seeds = tuple(seed + 1000 * k for k in range(estimator_seeds))
    figures = analyze_network(network, train.X, train.y, test.X, test.y, vib_seeds=(seed,),
                              vib_settings=vib_settings, weights=False)
    row = {
        "method": method,
        "hidden": int(n_hidden),
        "seed": int(seed),
        "accuracy": figures["accuracy"],
        "i_xz_bits": figures["i_xz_bits"],
        "nonsilent_synapses": figures["nonsilent_hidden"],
        "c_s": figures["c_s"],
        "nonsilent_output": figures["nonsilent_output"],
        "i_xz_bits_marginal": figures["i_xz_bits_marginal"],
        "c_s_marginal": figures["c_s_marginal"],
        "i_zy_bits": figures["i_zy_bits"],
        "i_xz_bits_plugin": figures["i_xz_bits_plugin"],
        "knoblauch_capacity_per_synapse": figures["knoblauch_capacity_per_synapse"],
        "train_accuracy": figures["train_accuracy"],
        "fit_time_s": round(fit_time_s, 3),
    }
    if estimator_seeds > 1:
        H_train, H_test = network.hidden(train.X), network.hidden(test.X)
        extra = vib_information(H_train, train.y, H_test, seeds=seeds[1:], **{**DEFAULT_VIB, **(vib_settings or {})})
        values = [row["i_xz_bits"], *extra["i_xz_bits_per_seed"]]
        row["i_xz_bits_estimator_seeds"] = values
        row["i_xz_bits_estimator_sd"] = float(np.std(values, ddof=1))
    return row


def compare(model, hidden_sizes, seeds, *, data=None, data_dir=None, methods=METHODS, select=True, vib_settings=None,
            estimator_seeds=3, learners=None, progress=True):
    """Train and measure every method at every hidden size and seed.

    Parameters
    ----------
    model : neuroplastic.config.ModelDefinition
        Data (data set, classes, validation share) and our rule's parameters.
    hidden_sizes : sequence of int
    seeds : int or sequence of int
        Number of seeds (0, 1, ...) or the seeds themselves.
    data : (LabelledImages, LabelledImages), optional
        Training set and test set; default: loaded as the model says.
    data_dir : str or Path, optional
        Folder of the IDX files when ``data`` is not given.
    methods : sequence of str
        Subset of :data:`METHODS`.
    select : bool
        Choose the baselines' hyperparameters on the validation split (else
        their defaults).
    vib_settings : dict, optional
        Overrides of :data:`~neuroplastic.analysis.DEFAULT_VIB`.
    estimator_seeds : int
        VIB fits on the first seed's network of each method and size; their
        sd is the estimator's own spread.
    learners : dict, optional
        ``method -> factory(n_hidden, seed, **params)``, replacing the
        built-in learner (for tests and new methods).
    progress : bool
        Show a tqdm progress bar over all fits.

    Returns
    -------
    dict
        ``runs`` (one row per method, size and seed), ``table`` (mean and
        sd per method and size), ``selection``, ``settings`` and
        ``wall_time_s``.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    seeds = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    unknown = [m for m in methods if m not in METHODS and m not in (learners or {})]
    if unknown:
        raise ConfigError("methods", f"unknown method {unknown[0]!r} (known: {', '.join(METHODS)})")
    if not hidden_sizes or not seeds:
        raise ConfigError("compare needs at least one hidden size and one seed")
    if data is None:
        data = _load_data(model, data_dir)
    train_full, test = data
    fraction = model.data.validation_fraction or 0.1
    train, validation = train_full.stratified_split(fraction, model.training.seed)

    def factory(method):
        if learners and method in learners:
            return learners[method]
        if method == "rule":
            return lambda n_hidden, seed, **params: rule_learner(model, n_hidden, seed)
        return lambda n_hidden, seed, **params: BASELINES[method](n_hidden=n_hidden, random_state=seed, **params)

    searched = [m for m in methods if select and m in SEARCH]
    total = len(hidden_sizes) * (len(seeds) * len(methods) + sum(len(_candidates(m)) for m in searched))
    bar = tqdm(total=total, desc="compare", unit="fit", disable=not progress)
    selection, runs = {}, []
    for n_hidden in hidden_sizes:
        for method in methods:
            params = {}
            if method in searched:
                bar.set_postfix_str(f"select {method} h={n_hidden}")
                make = factory(method)
                choice = select_hyperparameters(method, n_hidden, train, validation,
                                                learner=lambda **p: make(n_hidden, 0, **p), on_fit=lambda: bar.update(1))
                selection[f"{method}/{n_hidden}"] = choice
                params = choice["chosen"]
            for index, seed in enumerate(seeds):
                bar.set_postfix_str(f"{method} h={n_hidden} seed={seed}")
                fit_start = time.perf_counter()
                clf = factory(method)(n_hidden, seed, **params).fit(train.X, train.y)
                fit_time = time.perf_counter() - fit_start
                row = _run_row(method, n_hidden, seed, clf, fit_time, train, test, vib_settings,
                               estimator_seeds if index == 0 else 1)
                row["hyperparameters"] = params
                runs.append(row)
                bar.update(1)
    bar.close()
    settings = {
        "model": model.model.name,
        "dataset": model.data.dataset,
        "classes": list(model.data.classes) if model.data.classes is not None else None,
        "n_train": len(train), "n_validation": len(validation), "n_test": len(test),
        "hidden_sizes": [int(h) for h in hidden_sizes], "seeds": seeds, "methods": list(methods),
        "vib": {**DEFAULT_VIB, **(vib_settings or {}), "fitted_on": "training codes", "rate_on": "test codes",
                "seed": "the network's seed", "estimator_seeds": estimator_seeds},
        "selection_rule": f"BP: best validation accuracy; sparse baselines: sparsest candidate within "
                          f"{SPARSITY_TOLERANCE * 100:.1f} points of the best validation accuracy",
        "accuracy_unit": "fraction of test images",
        "c_s_unit": "bits per non-silent input->hidden synapse",
        "c_s_bounds": {"c_s": "VIB rate against the fixed prior N(0, I) (the paper's figure; looser)",
                       "c_s_marginal": "VIB rate against the moment-matched Gaussian of the aggregate q(z) "
                                       "(tighter, never above c_s)"},
    }
    return {"runs": runs, "table": summarise(runs), "selection": selection, "settings": settings,
            "wall_time_s": round(time.perf_counter() - start, 1)}


def _load_data(model, data_dir=None):
    from ..datasets import load_dataset

    data = load_dataset(model.data.dataset, data_dir, classes=model.data.classes)
    train = data.train
    if model.data.n_train is not None:
        train = train.subsample(model.data.n_train, model.training.seed)
    return train, data.test


def _pm(mean, sd, fmt):
    if mean is None:
        return "–"
    return f"{format(mean, fmt)} ± {format(sd, fmt)}"


def markdown_table(result):
    """The paper-style table as Markdown (mean ± sd over seeds; the paper's figures alongside)."""
    settings = result["settings"]
    vib = settings["vib"]
    lines = [
        f"Model `{settings['model']}`, {settings['dataset']} classes {settings['classes']}: "
        f"{settings['n_train']:,} training, {settings['n_validation']:,} validation, {settings['n_test']:,} test "
        f"images; seeds {settings['seeds']}; mean ± sd over seeds.",
        f"I(X;Z): VIB rate E KL(q(z|h)||N(0,I)) in bits (latent {vib['latent_dim'] or 'width of h, max 256'}, "
        f"beta {vib['beta']}, {vib['epochs']} epochs, encoder seed = network seed); "
        "C_S = I(X;Z) / non-silent input->hidden synapses, with two bounds on I(X;Z): "
        "'fixed prior' against r(z) = N(0, I), as the paper reports (looser), and 'fitted prior' against "
        "the moment-matched Gaussian of the aggregate q(z) (tighter, never above the first).",
        "",
        "| hidden | method | test acc (%) | I(X;Z) bits, fixed prior | estimator sd | I(X;Z) bits, fitted prior "
        "| non-silent in->hid | C_S fixed prior | C_S fitted prior | paper acc | paper I(X;Z) | paper C_S |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["table"]:
        acc = None if row["accuracy"] is None else 100 * row["accuracy"]
        acc_sd = None if row["accuracy_sd"] is None else 100 * row["accuracy_sd"]
        paper = [f"{100 * row['paper_accuracy']:.2f}", f"{row['paper_i_xz_bits']:.2f}", f"{row['paper_c_s']:.4g}"] \
            if "paper_accuracy" in row else ["", "", ""]
        estimator = f"{row['i_xz_bits_estimator_sd']:.2f}" if "i_xz_bits_estimator_sd" in row else ""
        lines.append(
            f"| {row['hidden']} | {row['label']} | {_pm(acc, acc_sd, '.2f')} | {_pm(row['i_xz_bits'], row['i_xz_bits_sd'], '.2f')} "
            f"| {estimator} | {_pm(row['i_xz_bits_marginal'], row['i_xz_bits_marginal_sd'], '.2f')} "
            f"| {_pm(row['nonsilent_synapses'], row['nonsilent_synapses_sd'], ',.0f')} "
            f"| {_pm(row['c_s'], row['c_s_sd'], '.4g')} | {_pm(row['c_s_marginal'], row['c_s_marginal_sd'], '.4g')} "
            f"| {' | '.join(paper)} |"
        )
    lines += ["", f"Wall time of the whole comparison: {result['wall_time_s']:.0f} s."]
    return "\n".join(lines) + "\n"


CSV_FIELDS = ("method", "hidden", "n_seeds", "accuracy", "accuracy_sd", "i_xz_bits", "i_xz_bits_sd",
              "i_xz_bits_estimator_sd", "nonsilent_synapses", "nonsilent_synapses_sd", "c_s", "c_s_sd",
              "i_xz_bits_marginal", "i_xz_bits_marginal_sd", "c_s_marginal", "c_s_marginal_sd", "i_xz_bits_plugin",
              "knoblauch_capacity_per_synapse", "fit_time_s", "paper_accuracy", "paper_i_xz_bits", "paper_c_s")


def write_outputs(result, out_dir):
    """Write ``table.md``, ``table.csv``, ``table.json`` (one row per method and size) and
    ``compare.json`` (everything: per-seed runs, selection, settings) into ``out_dir``.

    Returns
    -------
    dict
        Name -> path of each file written.
    """
    import csv
    import io
    from pathlib import Path

    from ..atomic import atomic_write_json, atomic_write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in result["table"]:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in CSV_FIELDS})
    paths = {"markdown": out / "table.md", "csv": out / "table.csv", "json": out / "table.json",
             "all": out / "compare.json"}
    atomic_write_text(paths["markdown"], markdown_table(result))
    atomic_write_text(paths["csv"], buffer.getvalue())
    atomic_write_json(paths["json"], result["table"])
    atomic_write_json(paths["all"], result)
    return paths
