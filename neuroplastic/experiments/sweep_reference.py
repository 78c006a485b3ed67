"""The reference group of a sweep: the common base model, and each group's difference from it.

When the swept model files extend a common base model file (through
``extends``, see :mod:`neuroplastic.config.loader`), the sweep runs that base
too, with the same parameter settings and seeds, as the reference. Every
other group is then compared with the reference group of the same setting:
for each compared figure, the difference of the means over seeds and whether
it exceeds twice the larger of the two groups' seed standard deviations.
"""


from ..config.loader import base_chain, model_path

__all__ = ["COMPARED", "CRITERION", "find_reference", "with_reference", "compare_to_reference"]

#: Figures compared with the reference: (summary figure name, label).
COMPARED = (("test_accuracy", "test accuracy"),
            ("mean_turnover_after_first_pass", "mean turnover per pass after the first"),
            ("dynamics.mean_lifetime", "mean synapse lifetime"))

#: The criterion, as written into the tables.
CRITERION = "|difference| > 2 × max(sd, reference sd)"


def find_reference(models):
    """The nearest base model file that every swept model file is or extends.

    Parameters
    ----------
    models : sequence of str or Path
        The swept model definition files (or bundled names).

    Returns
    -------
    dict or None
        ``model_file`` (str, the base file), ``listed`` (whether it is one of
        ``models`` already, as the same file; then ``model_file`` is spelled
        as listed); None if no model extends a base or the models share none.

    Raises
    ------
    ConfigError
        If a model file or a file it extends cannot be read.
    """
    files = [model_path(m).resolve() for m in models]
    chains = [base_chain(m) for m in models]
    for candidate in next((chain for chain in chains if chain), []):
        key = candidate.resolve()
        if all(file == key or key in {base.resolve() for base in chain} for file, chain in zip(files, chains)):
            index = files.index(key) if key in files else None
            return {"model_file": str(candidate) if index is None else str(models[index]),
                    "listed": index is not None}
    return None


def with_reference(models, reference=True):
    """The model files to sweep, with the common base model added as the reference if it is not listed.

    Parameters
    ----------
    models : sequence of str or Path
        The model definition files given.
    reference : bool
        False: no reference group (``models`` unchanged, None).

    Returns
    -------
    models : list of str
        ``models`` as strings, the base appended if it was added.
    reference : dict or None
        ``model_file``, ``listed`` (see :func:`find_reference`) and ``added``
        (whether it was appended), or None without a common base.
    """
    models = [str(m) for m in models]
    found = find_reference(models) if reference and models else None
    if found is None:
        return models, None
    found = {**found, "added": not found["listed"]}
    return (models if found["listed"] else [*models, found["model_file"]]), found


def _setting(entry, names):
    return tuple(entry.get(name) for name in names)


def _judge(mean, sd, reference_mean, reference_sd):
    """The comparison of one figure: difference, threshold and verdict (None when it cannot be judged)."""
    if mean is None or reference_mean is None:
        return {"mean": mean, "reference_mean": reference_mean, "difference": None, "threshold": None,
                "differs": None, "reason": "no value"}
    difference = mean - reference_mean
    if sd is None or reference_sd is None:
        return {"mean": mean, "reference_mean": reference_mean, "difference": difference, "threshold": None,
                "differs": None, "reason": "needs at least 2 seeds in both groups"}
    threshold = 2.0 * max(sd, reference_sd)
    return {"mean": mean, "reference_mean": reference_mean, "difference": difference, "threshold": threshold,
            "differs": bool(abs(difference) > threshold), "reason": None}


def compare_to_reference(summary, names):
    """Compare every non-reference group with the reference group of the same setting.

    Parameters
    ----------
    summary : list of dict
        The sweep's summary rows (see :func:`~neuroplastic.experiments.sweep_tables.aggregate_sweep`):
        ``group``, ``reference`` (bool), the setting's values under ``names``,
        ``n_seeds`` and ``<figure>_mean`` / ``<figure>_sd`` for each figure of
        :data:`COMPARED`.
    names : list of str
        The swept parameter names.

    Returns
    -------
    list of dict
        One per non-reference group that has a reference group with the same
        setting: ``group``, ``reference_group``, ``n_seeds``,
        ``reference_n_seeds``, ``criterion`` (:data:`CRITERION`), ``figures``
        (figure name -> ``mean``, ``reference_mean``, ``difference``,
        ``threshold`` (2 × the larger sd), ``differs`` (True, False, or None
        when it cannot be judged) and ``reason`` (why not, else None)) and
        ``differs_in`` (the figures judged different).
    """
    references = {_setting(s, names): s for s in summary if s.get("reference")}
    comparisons = []
    for entry in summary:
        reference = references.get(_setting(entry, names))
        if entry.get("reference") or reference is None:
            continue
        figures = {figure: _judge(entry[f"{figure}_mean"], entry[f"{figure}_sd"],
                                  reference[f"{figure}_mean"], reference[f"{figure}_sd"]) for figure, _ in COMPARED}
        comparisons.append({"group": entry["group"], "reference_group": reference["group"],
                            "n_seeds": entry["n_seeds"], "reference_n_seeds": reference["n_seeds"],
                            "criterion": CRITERION, "figures": figures,
                            "differs_in": [f for f, judged in figures.items() if judged["differs"]]})
    return comparisons

