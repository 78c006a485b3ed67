"""The result files a run report draws on, read without ever hiding a failure.

Every reader returns ``(value, problems)``: a file that exists but cannot be
read becomes a problem ``(file, reason)`` that the report shows, never a
silent gap.
"""

import json
from pathlib import Path

from ..errors import NeuroplasticError

__all__ = ["read_optional_json", "find_compare_results", "find_energy_results", "energy_breakdown"]

#: Where compare results are looked for, relative to the run folder (or inside ``--compare-results DIR``).
COMPARE_FILES = ("compare.json", "compare/compare.json")

#: Unit suffixes of energy fields and their value in joules.
ENERGY_UNITS = (("_pj", 1e-12), ("_nj", 1e-9), ("_uj", 1e-6), ("_mj", 1e-3), ("_j", 1.0))


def read_optional_json(path, label=None):
    """``(content or None, problems)`` of a JSON file that may be absent.

    Parameters
    ----------
    path : Path
    label : str, optional
        How the problem names the file (default: ``path``).
    """
    path = Path(path)
    if not path.exists():
        return None, []
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [(label or str(path), f"cannot be read ({type(exc).__name__}: {exc})")]


def find_compare_results(run_path, compare_dir=None):
    """The ``compare.json`` of ``neuroplastic compare`` that belongs to a run.

    Looked for in ``compare_dir`` if given, else in the run folder and its
    ``compare/`` subfolder.

    Returns
    -------
    (dict or None, list)
        The results and the problems met.

    Raises
    ------
    NeuroplasticError
        If ``compare_dir`` is given but holds no ``compare.json``.
    """
    base = Path(compare_dir) if compare_dir else Path(run_path)
    for name in COMPARE_FILES:
        path = base / name
        if path.is_file():
            return read_optional_json(path, str(path if compare_dir else path.relative_to(base)))
    if compare_dir:
        raise NeuroplasticError(f"{compare_dir}: no compare.json (written by `neuroplastic compare`)")
    return None, []


def find_energy_results(run_path):
    """Energy results that ``neuroplastic energy`` wrote into the run folder.

    Any ``energy*.json`` (also under ``hardware/``) is read; the first that
    holds a breakdown (see :func:`energy_breakdown`) is returned.

    Returns
    -------
    (dict or None, list)
        ``{"file", "data"}`` and the problems met (files that could not be read).
    """
    run_path = Path(run_path)
    found, problems = None, []
    for path in sorted([*run_path.glob("energy*.json"), *run_path.glob("hardware/*.json")]):
        data, trouble = read_optional_json(path, str(path.relative_to(run_path)))
        problems += trouble
        if found is None and data is not None and energy_breakdown(data):
            found = {"file": str(path.relative_to(run_path)), "data": data}
    return found, problems


def _numbers(table):
    return isinstance(table, dict) and table and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in table.values())


def _joules(key):
    return next((scale for suffix, scale in ENERGY_UNITS if key.lower().endswith(suffix)), 1.0)


def energy_breakdown(data):
    """Component -> joules (or profile -> component -> joules) from an energy result.

    Reads the ``neuroplastic energy`` result (``energy_<profile>.json``: the
    run's network is the first of ``networks``, priced per profile with a
    ``breakdown_uj`` table), or any table whose key contains ``breakdown``
    (unit from its suffix: ``_j``, ``_mj``, ``_uj``, ``_nj``, ``_pj``), at the
    top level, or per profile under ``per_profile``/``profiles``/``results``.

    Returns
    -------
    dict
        Empty when nothing fits.
    """
    def own(record):
        for key, value in record.items():
            if "breakdown" in key and _numbers(value):
                return {k: float(v) * _joules(key) for k, v in value.items()}
        return {}

    if not isinstance(data, dict):
        return {}
    networks = [n for n in data.get("networks", []) if isinstance(n, dict) and isinstance(n.get("priced"), dict)]
    if networks:
        priced = networks[0]["priced"]
        nested = {str(name): own(entry) for name, entry in priced.items() if isinstance(entry, dict)}
        nested = {k: v for k, v in nested.items() if v}
        if nested:
            return nested
    found = own(data)
    if found:
        return found
    for key in ("per_profile", "profiles", "results"):
        group = data.get(key)
        items = group.items() if isinstance(group, dict) else (
            [(r.get("profile") or r.get("name"), r) for r in group if isinstance(r, dict)] if isinstance(group, list)
            else [])
        nested = {str(name): own(record) for name, record in items if isinstance(record, dict)}
        nested = {k: v for k, v in nested.items() if v}
        if nested:
            return nested
    return {}
