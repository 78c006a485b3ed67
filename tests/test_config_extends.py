"""Model files that inherit (``extends``), and model definitions found by bundled name."""

import pytest

from conftest import MODELS
from neuroplastic.cli import main
from neuroplastic.config import dump_model, load_model, parse_model
from neuroplastic.config.loader import merge_tables, model_path
from neuroplastic.errors import ConfigError

BASE = """
[model]
name = "base"

[data]
dataset = "mnist-sample"
validation_fraction = 0.1
classes = [0, 1, 2]

[network]
n_hidden = 40

[training]
hidden_epochs = 1
readout_epochs = 2
batch_size = 50
seed = 3

[rule.rewiring]
period = 400
max_synapses_per_unit = 16
synapses_per_unit = 12
"""


@pytest.fixture
def family(tmp_path):
    """A base, a child beside it, a grandchild in a sub-folder, and a second child that changes a list."""
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n[model]\nname = "child"\n[network]\nn_hidden = 20\n')
    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "grandchild.toml").write_text(
        'extends = "../child.toml"\n[model]\nname = "grandchild"\n[rule.rewiring]\nperiod = 100\n')
    (tmp_path / "classes.toml").write_text('extends = "base.toml"\n[model]\nname = "classes"\n[data]\nclasses = [7, 8]\n')
    return tmp_path


def derived(folder):
    return [folder / "child.toml", folder / "variants" / "grandchild.toml", folder / "classes.toml"]


def test_derived_files_override_only_what_they_name(family):
    child = load_model(family / "child.toml")
    grandchild = load_model(family / "variants" / "grandchild.toml")
    classes = load_model(family / "classes.toml")
    assert (child.model.name, child.network.n_hidden, child.rule.rewiring.period) == ("child", 20, 400)
    assert (grandchild.network.n_hidden, grandchild.rule.rewiring.period) == (20, 100)
    assert grandchild.rule.rewiring.synapses_per_unit == 12  # from the base, through the child
    assert classes.data.classes == (7, 8)  # a list replaces, it is not merged
    assert classes.data.validation_fraction == 0.1  # while its table merges


def test_a_new_default_in_the_base_reaches_every_derived_file(family):
    before = [load_model(path) for path in derived(family)]
    assert all(model.training.batch_size == 50 for model in before)
    (family / "base.toml").write_text(BASE.replace("batch_size = 50", "batch_size = 25")
                                      .replace("[rule.rewiring]", "[rule.homeostasis]\nstrength = 7.5\n\n[rule.rewiring]"))
    after = [load_model(path) for path in derived(family)]
    assert [model.training.batch_size for model in after] == [25, 25, 25]
    assert [model.rule.homeostasis.strength for model in after] == [7.5, 7.5, 7.5]
    assert all(a.rule.homeostasis.strength != b.rule.homeostasis.strength for a, b in zip(after, before))


@pytest.mark.parametrize("files", [
    {"a.toml": 'extends = "a.toml"\n'},
    {"a.toml": 'extends = "b.toml"\n', "b.toml": 'extends = "c.toml"\n', "c.toml": 'extends = "a.toml"\n'},
])
def test_a_cycle_is_one_line_naming_the_file(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text + '[model]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"\w\.toml: extends = 'a\.toml' makes a cycle \(a\.toml -> .*a\.toml\)") as info:
        load_model(tmp_path / "a.toml")
    assert "\n" not in str(info.value)


def test_a_missing_base_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "orphan.toml").write_text('extends = "nowhere.toml"\n[model]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"orphan\.toml: extends = 'nowhere\.toml': no such model definition"):
        load_model(tmp_path / "orphan.toml")


def test_a_broken_base_is_reported_with_the_base_file(family):
    (family / "base.toml").write_text("[model\n")
    with pytest.raises(ConfigError, match=r"base\.toml: not valid TOML"):
        load_model(family / "child.toml")


def test_extends_must_be_a_file_name(tmp_path):
    (tmp_path / "bad.toml").write_text('extends = 3\n[model]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"bad\.toml: extends must name a base model file, got 3"):
        load_model(tmp_path / "bad.toml")


def test_a_bundled_base_is_found_by_name_from_anywhere(tmp_path):
    (tmp_path / "mine.toml").write_text('extends = "mnist_sparse"\n[model]\nname = "mine"\n[training]\nseed = 9\n')
    mine, base = load_model(tmp_path / "mine.toml"), load_model(MODELS / "mnist_sparse.toml")
    assert mine.training.seed == 9 and mine.network == base.network and mine.rule == base.rule


def test_bundled_names_resolve_to_the_shipped_files():
    assert model_path("mnist_sparse").samefile(MODELS / "mnist_sparse.toml")
    assert load_model("mnist") == load_model(MODELS / "mnist.toml")
    regimes = sorted((MODELS / "regimes").glob("*.toml"))
    assert regimes and load_model(f"regimes/{regimes[0].stem}") == load_model(regimes[0])
    with pytest.raises(ConfigError, match=r"no_such_model: no such model definition .*bundled name: .*mnist_sparse"):
        load_model("no_such_model")


def test_the_saved_model_is_the_resolved_whole(family, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--model", str(family / "variants" / "grandchild.toml"), "--out", str(out), "--quiet"]) == 0
    saved = (out / "model.toml").read_text()
    assert "extends" not in saved
    assert parse_model(saved) == load_model(family / "variants" / "grandchild.toml")
    assert parse_model(saved).data.dataset == "mnist-sample"  # from the base, two files up


def test_parse_model_resolves_extends_against_base_dir(family):
    text = 'extends = "child.toml"\n[model]\nname = "s"\n'
    assert parse_model(text, base_dir=family).network.n_hidden == 20
    assert "extends" not in dump_model(parse_model(text, base_dir=family))


def test_merge_tables_leaves_its_inputs_alone():
    base, override = {"a": {"x": 1}}, {"a": {"y": 2}}
    assert merge_tables(base, override) == {"a": {"x": 1, "y": 2}}
    assert base == {"a": {"x": 1}} and override == {"a": {"y": 2}}


def test_validate_accepts_bundled_names_and_reports_a_cycle_in_one_line(tmp_path, capsys):
    assert main(["validate", "mnist_sparse"]) == 0
    assert "mnist_sparse: ok" in capsys.readouterr().out
    (tmp_path / "loop.toml").write_text('extends = "loop.toml"\n')
    assert main(["validate", str(tmp_path / "loop.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "loop.toml" in err and "cycle" in err
