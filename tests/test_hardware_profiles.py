"""Hardware profiles: bundled files are complete and cited; bad files give one-line errors."""

import pytest

from neuroplastic.errors import HardwareError
from neuroplastic.hardware.profiles import PROFILE_DIR, REQUIRED_FIELDS, available_profiles, load_profile

BUNDLED = ("loihi1", "loihi2", "truenorth", "spinnaker2", "cpu", "gpu")


def test_every_bundled_profile_loads_with_unit_and_source_for_each_required_field():
    assert set(BUNDLED) <= set(available_profiles())
    for name in BUNDLED:
        profile = load_profile(name)
        required = {f for fields in REQUIRED_FIELDS[profile.kind].values() for f in fields}
        assert required <= set(profile.quantities)
        for quantity in profile.quantities.values():
            assert quantity.unit and quantity.source.strip()


def test_loihi2_energies_are_marked_as_assumptions():
    profile = load_profile("loihi2")
    assert {"synaptic_op", "neuron_update", "static_power"} <= set(profile.assumptions)
    assert "synaptic_op" not in load_profile("loihi1").assumptions


def test_units_are_converted_to_canonical_units():
    profile = load_profile("spinnaker2")
    assert profile["neuron_update"] == pytest.approx(2190.0)  # 2.19 nJ in pJ
    assert load_profile("loihi1")["synaptic_memory_per_core"] == 128 * 1024 * 8  # KiB in bits
    assert load_profile("truenorth")["barrier_time"] == pytest.approx(1e6)  # 1 ms in ns


def _user_profile(tmp_path, replace=None, drop=None):
    text = (PROFILE_DIR / "loihi1.toml").read_text()
    lines = [line for line in text.splitlines() if not (drop and line.startswith(drop + " "))]
    text = "\n".join(lines)
    if replace:
        text = text.replace(*replace)
    path = tmp_path / "mine.toml"
    path.write_text(text)
    return path


def test_a_user_profile_file_is_accepted(tmp_path):
    path = _user_profile(tmp_path, replace=("value = 23.6, unit = \"pJ\"", "value = 10, unit = \"pJ\""))
    assert load_profile(str(path))["synaptic_op"] == 10


def test_missing_field_error_names_file_and_field(tmp_path):
    path = _user_profile(tmp_path, drop="hop")
    with pytest.raises(HardwareError) as info:
        load_profile(str(path))
    message = str(info.value)
    assert "mine.toml" in message and "hop" in message and "\n" not in message


def test_negative_value_error_names_field(tmp_path):
    path = _user_profile(tmp_path, replace=("value = 81,", "value = -81,"))
    with pytest.raises(HardwareError, match=r"mine\.toml.*neuron_update.*non-negative"):
        load_profile(str(path))


def test_unknown_unit_is_rejected(tmp_path):
    path = _user_profile(tmp_path, replace=('value = 1.7, unit = "pJ"', 'value = 1.7, unit = "calories"'))
    with pytest.raises(HardwareError, match="spike.unit"):
        load_profile(str(path))


def test_unknown_profile_name_lists_the_bundled_ones():
    with pytest.raises(HardwareError, match="loihi2"):
        load_profile("loihi7")
