"""The bundled model definitions and hardware profiles, found by name.

The top-level folders ``models/`` and ``hardware_profiles/`` of the source
tree are the originals. Building the package (``pip install .``) copies them
into the package as ``neuroplastic/bundled/``; an editable or in-tree use
reads the top-level folders directly.
"""

from pathlib import Path

__all__ = ["BUNDLED_KINDS", "bundled_dir", "bundled_names", "find_bundled"]

#: The folders that are bundled, by kind.
BUNDLED_KINDS = ("models", "hardware_profiles")

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(kind):
    """The folder holding the bundled ``kind`` (``"models"`` or ``"hardware_profiles"``).

    Returns
    -------
    pathlib.Path
        ``neuroplastic/bundled/<kind>`` in an installed package, else the
        source tree's top-level ``<kind>/`` folder.
    """
    if kind not in BUNDLED_KINDS:
        raise ValueError(f"unknown bundled kind {kind!r}; choose one of {', '.join(BUNDLED_KINDS)}")
    inside = _PACKAGE / "bundled" / kind
    return inside if inside.is_dir() else _PACKAGE.parent / kind


def bundled_names(kind):
    """Names of the bundled ``kind`` files, without ``.toml``; sub-folders as ``regimes/fast_turnover``."""
    folder = bundled_dir(kind)
    return sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.toml"))


def find_bundled(kind, name):
    """The bundled file called ``name`` (``"mnist"``, ``"mnist.toml"``, ``"regimes/fast_turnover"``), or None.

    Examples
    --------
    >>> find_bundled("hardware_profiles", "loihi2").name
    'loihi2.toml'
    >>> find_bundled("models", "no_such_model") is None
    True
    """
    relative = Path(str(name))
    if relative.is_absolute() or ".." in relative.parts:
        return None
    if relative.suffix != ".toml":
        relative = relative.with_name(relative.name + ".toml")
    candidate = bundled_dir(kind) / relative
    return candidate if candidate.is_file() else None
