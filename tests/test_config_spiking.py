"""The [spiking] table: quantities with units, checked, round-tripped, overridable, and used by evaluate."""

import os
import subprocess
import sys

import pytest

from neuroplastic.config import SpikingSpec, dump_model, load_model, parse_model
from neuroplastic.config.overrides import apply_dotted
from neuroplastic.config.spiking import parse_quantity
from neuroplastic.errors import ConfigError

MINIMAL = """
[model]
name = "tiny"

[network]
n_hidden = 3
"""


@pytest.mark.parametrize("text, kind, expected", [
    ("100 ms", "time", 100.0), ("0.1 s", "time", 100.0), ("250us", "time", 0.25), ("1e2 ms", "time", 100.0),
    ("200 Hz", "rate", 200.0), ("0.2 kHz", "rate", 200.0),
])
def test_quantities_are_read_in_canonical_units(text, kind, expected):
    assert parse_quantity(text, kind, "f") == pytest.approx(expected)


@pytest.mark.parametrize("text, reason", [
    ("5 mV", "has unit 'mV', which is not a time"),
    ("100", "must be a number with a unit"),
    ("-1 ms", "must be positive"),
    ("0 ms", "must be positive"),
    ("ms", "must be a number with a unit"),
])
def test_bad_quantities_name_the_field_and_the_reason(text, reason):
    with pytest.raises(ConfigError, match=reason) as info:
        parse_quantity(text, "time", "dt")
    assert info.value.field == "dt"


def test_defaults_are_the_inference_defaults_and_round_trip():
    from neuroplastic.engines.brian2.inference import InferenceParams

    model = parse_model(MINIMAL)
    assert model.spiking == SpikingSpec()
    assert model.spiking.inference_params() == InferenceParams()
    assert parse_model(dump_model(model)) == model


def test_the_table_sets_the_inference_parameters():
    model = parse_model(MINIMAL + '[spiking]\ndt = "0.5 ms"\nintegration_time = "0.2 s"\nhidden_rate = "0.4 kHz"\n')
    params = model.spiking.inference_params()
    assert (params.dt_ms, params.integration_time_ms, params.hidden_rate_hz) == (0.5, 200.0, 400.0)
    assert (params.steps, params.pad, params.rest_time_ms, params.inhibition_rate_hz) == (400, 6, 3.0, 1000.0)


def test_the_table_sets_the_training_parameters_with_units():
    from neuroplastic.engines.brian2.spiking import SpikingParams

    assert parse_model(MINIMAL).spiking.training_params() == SpikingParams()
    model = parse_model(MINIMAL + '[spiking]\ntraining_dt = "500 us"\npresentation_time = "0.03 s"\n'
                                  'release_rate = "0.5 kHz"\ndrive_gain = "0.002 V"\n')
    params = model.spiking.training_params()
    assert (params.dt_ms, params.presentation_ms, params.release_rate_hz, params.gain_mv) == (0.5, 30.0, 500.0, 2.0)
    assert params.steps == 60
    for line, field in (('decision_time = "30 ms"', "decision_time"), ('release_rate = "2 kHz"', "release_rate"),
                        ('threshold_fall = "5 ms"', "threshold_fall")):
        with pytest.raises(ConfigError, match=field):
            parse_model(MINIMAL + f"[spiking]\n{line}\n")


def test_keys_of_the_earlier_form_load_with_their_old_defaults_only(tmp_path):
    old = '[spiking]\ndt = "1 ms"\noutput_time = "100 ms"\ninput_rate = "200 Hz"\ncoding = "regular"\n'
    assert parse_model(MINIMAL + old).spiking.inference_params() == parse_model(MINIMAL).spiking.inference_params()
    path = tmp_path / "m.toml"
    path.write_text(MINIMAL + old.replace("200 Hz", "100 Hz"))
    with pytest.raises(ConfigError, match=r"\[spiking\] input_rate is no longer used"):
        load_model(path)


@pytest.mark.parametrize("line, message", [
    ('dt = "1 mV"', r"m.toml: \[spiking\] dt has unit 'mV', which is not a time"),
    ('rest_time = "-20 ms"', r"m.toml: \[spiking\] rest_time must be positive"),
    ('rest_time = "1 ms"', r"m.toml: \[spiking\] rest_time must last at least 2 time steps"),
    ('hidden_rate = "2 kHz"', r"m.toml: \[spiking\] hidden_rate fires more than once per time step"),
    ('integration_time = "10.5 ms"', r"m.toml: \[spiking\] integration_time must be a whole number of time steps"),
    ('tau_m = "20 ms"', r"m.toml: \[spiking\] tau_m is not a known key"),
])
def test_a_bad_table_is_one_error_naming_file_and_field(tmp_path, line, message):
    path = tmp_path / "m.toml"
    path.write_text(MINIMAL + "[spiking]\n" + line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_model(path)


def test_sweeps_and_regimes_can_set_it_with_units():
    model = apply_dotted(load_model("mnist_sparse"), {"spiking.hidden_rate": "250 Hz"})
    assert model.spiking.inference_params().hidden_rate_hz == 250.0
    with pytest.raises(ConfigError, match="hidden_rate"):
        apply_dotted(model, {"spiking.hidden_rate": "250 ms"})


def test_the_command_line_exits_2_with_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + '[spiking]\ndt = "-1 ms"\n')
    done = subprocess.run([sys.executable, "-m", "neuroplastic", "train", "--model", str(path), "--out",
                           str(tmp_path / "run")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.toml: [spiking] dt must be positive" in lines[0] and "Traceback" not in done.stderr
