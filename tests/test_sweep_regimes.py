"""The biological regimes: valid model definitions that differ from their base only where they say so."""

import re
import sys
from pathlib import Path

import pytest

from neuroplastic.config import load_model
from neuroplastic.config.typed import to_table

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

MODELS = Path(__file__).resolve().parents[1] / "models"
REGIMES = sorted((MODELS / "regimes").glob("*.toml"))


def flat(table, prefix=""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def test_there_are_at_least_four_regimes():
    assert len(REGIMES) >= 4


@pytest.mark.parametrize("path", REGIMES, ids=lambda p: p.stem)
def test_regime_is_a_valid_model_definition(path):
    model = load_model(path)
    assert model.model.name == f"regime_{path.stem}"


@pytest.mark.parametrize("path", REGIMES, ids=lambda p: p.stem)
def test_regime_cites_its_rationale(path):
    header = path.read_text(encoding="utf-8").split("[model]")[0]
    assert "Rationale" in header
    assert re.search(r"[A-Z][a-z]+.*\b(19|20)\d\d\b", header), "a cited source with its year"


@pytest.mark.parametrize("path", REGIMES, ids=lambda p: p.stem)
def test_regime_differs_from_the_base_only_in_marked_values(path):
    text = path.read_text(encoding="utf-8")
    marked = set(re.findall(r"^(\w+) = [^#\n]*# REGIME:", text, re.M))
    regime = dict(flat(to_table(load_model(path))))
    base = dict(flat(to_table(load_model(MODELS / "mnist_sparse.toml"))))
    changed = {key for key in regime if regime[key] != base[key] and not key.startswith("model.")}
    assert changed, "a regime must change something"
    assert {key.split(".")[-1] for key in changed} == marked
    raw = tomllib.loads(text)
    assert raw["extends"] == "../mnist_sparse.toml"
    set_here = {key for key, _ in flat(raw) if not key.startswith("model.") and key != "extends"}
    assert {key.split(".")[-1] for key in set_here} == marked, "every value a regime sets is marked REGIME"
