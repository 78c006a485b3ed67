"""The paper-task page describes the model file as it is: activation and synapse counts."""

import re
from pathlib import Path

from neuroplastic.config import load_model

ROOT = Path(__file__).resolve().parents[1]


def _section(text, title):
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return " ".join(text[start:end if end > 0 else None].split())  # line breaks do not matter


def test_paper_page_names_the_activation_the_model_file_uses():
    model = load_model(ROOT / "models" / "paper_126.toml")
    section = _section((ROOT / "docs" / "paper.md").read_text(encoding="utf-8"), "The model definition")
    assert f'activation = "{model.network.activation}"' in section
    if model.network.activation != "paper_sigmoid":
        # the paper's sigmoid may be named, but only as what the file does not use
        assert re.search(r"does \*\*not\*\* use the paper's activation", section)


def test_paper_page_gives_the_synapse_counts_of_the_model_file():
    model = load_model(ROOT / "models" / "paper_126.toml")
    section = _section((ROOT / "docs" / "paper.md").read_text(encoding="utf-8"), "The model definition")
    hidden, per_unit = model.network.n_hidden, model.rule.rewiring.max_synapses_per_unit
    n_classes, n_inputs = len(model.data.classes), 784
    assert model.rule.rewiring.synapses_per_unit in (None, per_unit)  # no unit keeps fewer later
    assert model.rule.output.synapses_per_unit is None  # the readout is dense, as the page says
    assert f"{hidden} hidden units" in section
    assert f"max_synapses_per_unit = {per_unit}" in section
    assert f"{hidden} × {per_unit} = {hidden * per_unit:,}" in section
    assert f"{hidden} × {n_inputs} = {hidden * n_inputs:,}" in section
    assert f"{hidden} × {n_classes} = {hidden * n_classes:,}" in section
    assert f"{hidden * per_unit + hidden * n_classes:,} in all" in section
