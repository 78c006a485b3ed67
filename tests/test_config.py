"""Model definitions: the shipped files load, and bad files get one line naming the field."""

import pytest

from conftest import MODELS
from neuroplastic.config import dump_model, load_model, parse_model, with_overrides
from neuroplastic.errors import ConfigError

MINIMAL = """
[model]
name = "tiny"

[network]
n_hidden = 3
"""


def test_minimal_definition_gets_defaults():
    model = parse_model(MINIMAL)
    assert model.network.n_hidden == 3
    assert model.data.dataset == "mnist"
    assert model.training.epochs >= 1


@pytest.mark.parametrize("name", ["mnist.toml", "mnist_sparse.toml", "paper_126.toml"])
def test_shipped_model_definitions_load_and_round_trip(name):
    model = load_model(MODELS / name)
    assert parse_model(dump_model(model)) == model


def test_paper_model_uses_digits_1_2_6():
    assert load_model(MODELS / "paper_126.toml").data.classes == (1, 2, 6)


def test_unknown_key_is_named_with_its_table(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(MINIMAL + "n_hiden = 4\n")
    with pytest.raises(ConfigError, match=r"m.toml: \[network\] n_hiden is not a known key"):
        load_model(path)


def test_unknown_table_is_named():
    with pytest.raises(ConfigError, match=r"src: optimiser is not a known key"):
        parse_model(MINIMAL + "[optimiser]\nlr = 1\n", source="src")


def test_wrong_type_is_named():
    text = MINIMAL.replace("n_hidden = 3", 'n_hidden = "many"')
    with pytest.raises(ConfigError, match=r"\[network\] n_hidden must be an integer, got str 'many'"):
        parse_model(text)


def test_negative_size_is_named():
    text = MINIMAL.replace("n_hidden = 3", "n_hidden = -5")
    with pytest.raises(ConfigError, match=r"\[network\] n_hidden must be a positive integer, got -5"):
        parse_model(text)


def test_float_where_integer_expected_is_rejected():
    with pytest.raises(ConfigError, match=r"\[training\] readout_epochs must be an integer, got float 1.5"):
        parse_model(MINIMAL + "[training]\nreadout_epochs = 1.5\n")


def test_impossible_validation_fraction_is_named():
    with pytest.raises(ConfigError, match=r"\[data\] validation_fraction must be in \[0, 1\)"):
        parse_model(MINIMAL + "[data]\nvalidation_fraction = 1.0\n")


def test_unknown_activation_is_named():
    with pytest.raises(ConfigError, match=r"\[network\] activation must be one of .*got 'tanhh'"):
        parse_model(MINIMAL + 'activation = "tanhh"\n')


def test_unknown_rule_key_is_named_with_its_table():
    with pytest.raises(ConfigError, match=r"\[rule.rewiring\] speed is not a known key"):
        parse_model(MINIMAL + "[rule.rewiring]\nspeed = 3\n")


def test_missing_required_field_is_named():
    with pytest.raises(ConfigError, match=r"\[network\] n_hidden is required"):
        parse_model('[model]\nname = "x"\n[network]\nactivation = "relu"\n')


def test_invalid_toml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[model\nname=")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        load_model(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match=r"no such model definition"):
        load_model(tmp_path / "nope.toml")


def test_overrides_are_validated_like_files():
    model = parse_model(MINIMAL)
    assert with_overrides(model, training={"seed": 7}).training.seed == 7
    with pytest.raises(ConfigError, match=r"\[training\] readout_epochs must be a positive integer, got 0"):
        with_overrides(model, training={"readout_epochs": 0})
