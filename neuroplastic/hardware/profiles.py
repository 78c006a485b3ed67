"""Hardware profiles: cited cost models of neuromorphic and conventional hardware.

A profile is a TOML file. Every quantity is a small table
``{value, unit, source}``, optionally with ``assumption = true`` when the
figure is a choice made here rather than a published number::

    [energy]
    synaptic_op = { value = 23.6, unit = "pJ", source = "Davies et al. 2018, Table 2" }

Profiles are validated on load: a missing field, a negative value or an
unknown unit gives one line naming the file and the field. The bundled
profiles live in ``hardware_profiles/`` (package resources once installed,
see :mod:`neuroplastic.resources`); a user profile is any file with the
same fields, passed by path.

This module only describes hardware; it neither maps nor prices.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HardwareError
from ..resources import bundled_dir, bundled_names, find_bundled

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "Quantity",
    "HardwareProfile",
    "PROFILE_DIR",
    "REQUIRED_FIELDS",
    "available_profiles",
    "load_profile",
    "parse_profile",
]

#: Folder of the bundled profiles (``hardware_profiles/``: in the package once installed, else at the repository top).
PROFILE_DIR = bundled_dir("hardware_profiles")

#: Units accepted per dimension, with the factor to the canonical unit (first entry).
UNITS = {
    "energy": {"pJ": 1.0, "fJ": 1e-3, "nJ": 1e3, "uJ": 1e6},
    "time": {"ns": 1.0, "ps": 1e-3, "us": 1e3, "ms": 1e6},
    "power": {"mW": 1.0, "uW": 1e-3, "W": 1e3},
    "memory": {"bit": 1.0, "B": 8.0, "KiB": 8192.0, "KB": 8192.0},
    "bits": {"bit": 1.0},
    "count": {"count": 1.0},
}

_NEUROMORPHIC = {
    "architecture": {
        "cores_per_chip": "count",
        "max_chips": "count",
        "neurons_per_core": "count",
        "synaptic_memory_per_core": "memory",
        "input_axons_per_core": "count",
        "weight_bits": "bits",
        "index_bits": "bits",
    },
    "energy": {
        "synaptic_op": "energy",
        "neuron_update": "energy",
        "spike": "energy",
        "hop": "energy",
        "static_power": "power",
    },
    "timing": {"synaptic_op_time": "time", "neuron_update_time": "time", "barrier_time": "time"},
}
_CONVENTIONAL = {
    "architecture": {"weight_bits": "bits", "word_bits": "bits", "index_bits": "bits"},
    "energy": {"mac": "energy", "memory_word": "energy", "static_power": "power"},
    "timing": {"mac_time": "time"},
}
#: Required fields per profile kind: ``{kind: {section: {field: dimension}}}``.
REQUIRED_FIELDS = {"neuromorphic": _NEUROMORPHIC, "conventional": _CONVENTIONAL}
#: Fields a profile may add: a cited power per hardware thread prices measured CPU time.
OPTIONAL_FIELDS = {"conventional": {"measured": {"power_per_thread": "power"}}}
_POSITIVE = {"cores_per_chip", "max_chips", "neurons_per_core", "synaptic_memory_per_core",
             "input_axons_per_core", "weight_bits", "word_bits"}


@dataclass(frozen=True)
class Quantity:
    """One cited figure, in the canonical unit of its dimension.

    Attributes
    ----------
    value : float
        In pJ (energy), ns (time), mW (power), bit (memory, bits) or count.
    unit : str
        The canonical unit of ``value``.
    source : str
        Where the figure comes from.
    assumption : bool
        True if the figure is a choice made here, not a published number.
    """

    value: float
    unit: str
    source: str
    assumption: bool = False


@dataclass(frozen=True)
class HardwareProfile:
    """A validated hardware profile.

    Attributes
    ----------
    name, kind, description : str
        ``kind`` is ``"neuromorphic"`` or ``"conventional"``.
    graded_spikes : bool
        Whether spikes may carry a value (Loihi 2, SpiNNaker 2).
    quantities : dict
        ``{field: Quantity}`` over all sections.
    path : str
        The file the profile was read from.
    """

    name: str
    kind: str
    description: str
    graded_spikes: bool
    quantities: dict = field(repr=False)
    path: str = ""

    def __getitem__(self, name):
        return self.quantities[name].value

    @property
    def is_neuromorphic(self):
        return self.kind == "neuromorphic"

    @property
    def assumptions(self):
        """Names of the fields marked as assumptions."""
        return sorted(name for name, q in self.quantities.items() if q.assumption)

    def table(self):
        """Rows ``(field, value, unit, source, assumption)`` for reports."""
        return [(n, q.value, q.unit, q.source, q.assumption) for n, q in self.quantities.items()]


def _quantity(where, name, entry, dimension):
    if not isinstance(entry, dict):
        raise HardwareError(f"{where} {name} must be a table {{value, unit, source}}, got {entry!r}")
    for key in ("value", "unit", "source"):
        if key not in entry:
            raise HardwareError(f"{where} {name} lacks '{key}'")
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise HardwareError(f"{where} {name}.value must be a number, got {value!r}")
    if isinstance(value, int) and value.bit_length() > 1000:
        value = math.inf  # beyond any float; reported as not finite
    if not 0 <= value < math.inf:
        raise HardwareError(f"{where} {name}.value must be finite and non-negative, got {value!r}")
    if name in _POSITIVE and value == 0:
        raise HardwareError(f"{where} {name}.value must be positive, got {value!r}")
    units = UNITS[dimension]
    unit = entry["unit"]
    if unit not in units:
        raise HardwareError(f"{where} {name}.unit must be one of {sorted(units)}, got {unit!r}")
    if not isinstance(entry["source"], str) or not entry["source"].strip():
        raise HardwareError(f"{where} {name}.source must be a non-empty string")
    assumption = entry.get("assumption", False)
    if not isinstance(assumption, bool):
        raise HardwareError(f"{where} {name}.assumption must be true or false, got {assumption!r}")
    canonical = next(iter(units))
    return Quantity(float(value) * units[unit], canonical, entry["source"], assumption)


def parse_profile(table, where="profile"):
    """Validate a profile table (as read from TOML).

    Parameters
    ----------
    table : dict
        The parsed TOML.
    where : str
        Name used in error messages, usually the file name.

    Returns
    -------
    HardwareProfile

    Raises
    ------
    HardwareError
        One line naming ``where`` and the field at fault.
    """
    meta = table.get("profile")
    if not isinstance(meta, dict):
        raise HardwareError(f"{where}: missing [profile] section")
    for key in ("name", "kind"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise HardwareError(f"{where}: [profile] {key} must be a non-empty string")
    kind = meta["kind"]
    if kind not in REQUIRED_FIELDS:
        raise HardwareError(f"{where}: [profile] kind must be one of {sorted(REQUIRED_FIELDS)}, got {kind!r}")
    graded = meta.get("graded_spikes", False)
    if not isinstance(graded, bool):
        raise HardwareError(f"{where}: [profile] graded_spikes must be true or false, got {graded!r}")
    quantities = {}
    for section, fields in REQUIRED_FIELDS[kind].items():
        entries = table.get(section)
        if not isinstance(entries, dict):
            raise HardwareError(f"{where}: missing [{section}] section")
        for name, dimension in fields.items():
            if name not in entries:
                raise HardwareError(f"{where}: [{section}] {name} is missing")
            quantities[name] = _quantity(f"{where}: [{section}]", name, entries[name], dimension)
    for section, fields in OPTIONAL_FIELDS.get(kind, {}).items():
        entries = table.get(section, {})
        if not isinstance(entries, dict):
            raise HardwareError(f"{where}: [{section}] must be a table")
        for name in entries:
            if name not in fields:
                raise HardwareError(f"{where}: [{section}] {name} is not a known field ({', '.join(fields)})")
            quantities[name] = _quantity(f"{where}: [{section}]", name, entries[name], fields[name])
    if kind == "neuromorphic" and quantities["weight_bits"].value > 32:
        raise HardwareError(f"{where}: [architecture] weight_bits must be at most 32")
    return HardwareProfile(name=meta["name"], kind=kind, description=str(meta.get("description", "")),
                           graded_spikes=graded, quantities=quantities, path=where)


def available_profiles():
    """Names of the bundled profiles."""
    return bundled_names("hardware_profiles")


def load_profile(name_or_path):
    """Load a bundled profile by name (``"loihi2"``) or any profile file by path.

    Raises
    ------
    HardwareError
        If the file is missing, is not TOML, or a field is missing or invalid.
    """
    candidate = Path(name_or_path)
    if candidate.suffix != ".toml" and not candidate.exists():
        candidate = find_bundled("hardware_profiles", name_or_path)
        if candidate is None:
            raise HardwareError(f"unknown hardware profile {name_or_path!r}; bundled: "
                                f"{', '.join(available_profiles())}, or give a .toml path")
    try:
        text = candidate.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HardwareError(f"{candidate}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HardwareError(f"{candidate}: cannot read ({exc})") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HardwareError(f"{candidate}: not valid TOML ({exc})") from None
    return parse_profile(table, where=str(candidate))
