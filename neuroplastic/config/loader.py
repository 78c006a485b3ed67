"""Reading and writing model definitions (``models/*.toml``)."""

import sys
from pathlib import Path

from ..errors import ConfigError
from .schema import ModelDefinition
from .typed import from_table, to_table, to_toml

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = ["load_model", "parse_model", "dump_model", "with_overrides"]


def parse_model(text, *, source="<string>"):
    """Parse model-definition TOML text.

    Parameters
    ----------
    text : str
    source : str
        Name used in error messages (normally the file's path).

    Returns
    -------
    ModelDefinition

    Raises
    ------
    ConfigError
        One line naming ``source``, the table and field, and the reason.
    """
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return from_table(ModelDefinition, table)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_model(path):
    """Load a model definition from a TOML file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ModelDefinition

    Raises
    ------
    ConfigError
        If the file is missing, is not TOML, or holds an unknown key, a
        wrongly typed value or an impossible value.

    Examples
    --------
    >>> model = load_model("models/mnist.toml")  # doctest: +SKIP
    >>> model.network.n_hidden  # doctest: +SKIP
    2000
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such model definition") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    return parse_model(text, source=str(path))


def dump_model(model):
    """Return the TOML text of a model definition; :func:`parse_model` reads it back."""
    return to_toml(to_table(model))


def with_overrides(model, **sections):
    """Return a copy of ``model`` with fields replaced, e.g. ``training={"seed": 3}``.

    Values are validated like those of a file.
    """
    table = to_table(model)
    for section, values in sections.items():
        table[section].update({k: v for k, v in values.items() if v is not None})
    try:
        return from_table(ModelDefinition, table)
    except ConfigError as exc:
        raise ConfigError(f"override: {exc}") from None


