"""Dotted overrides of a model definition: ``rule.hidden.eta=0.01`` and value lists ``a,b,c``.

A sweep varies any field of a model definition from the command line
(``--param rule.hidden.eta=0.01,0.03``). Values are TOML literals
(``0.01``, ``true``, ``"text"``, ``[1, 2, 6]``); a bare word that is not a
TOML literal is taken as a string (``data.dataset=mnist-sample``). The
overridden definition is validated exactly like a file.
"""

import sys

from ..errors import ConfigError
from .schema import ModelDefinition
from .typed import from_table, to_table

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = ["parse_value", "parse_param", "apply_dotted"]


def parse_value(text):
    """One TOML literal, or the bare text as a string.

    Examples
    --------
    >>> parse_value("0.5"), parse_value("true"), parse_value("[1, 2]"), parse_value("mnist-sample")
    (0.5, True, [1, 2], 'mnist-sample')
    """
    text = text.strip()
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def _split_top_level(text):
    """Split at commas that are not inside brackets or quotes."""
    parts, depth, quote, current = [], 0, None, []
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def parse_param(text):
    """Parse ``section.field=a,b,c`` into the dotted name and its list of values.

    Parameters
    ----------
    text : str
        E.g. ``"rule.hidden.eta=0.01,0.03"`` or ``"data.classes=[1,2,6],[0,1]"``.

    Returns
    -------
    (str, list)

    Raises
    ------
    ConfigError
        If there is no ``=``, no dotted name, or an empty value.
    """
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name or "." not in name:
        raise ConfigError(f"override {text!r}: expected SECTION.FIELD=VALUE[,VALUE...], e.g. rule.hidden.eta=0.01,0.03")
    items = _split_top_level(values)
    if any(not item.strip() for item in items):
        raise ConfigError(f"override {text!r}: empty value")
    return name, [parse_value(item) for item in items]


def apply_dotted(model, overrides):
    """Return a copy of ``model`` with dotted fields replaced.

    Parameters
    ----------
    model : ModelDefinition
    overrides : dict
        ``{"rule.hidden.eta": 0.01, "training.seed": 3, ...}``.

    Returns
    -------
    ModelDefinition
        Validated like a model file.

    Raises
    ------
    ConfigError
        For an unknown table or field, or an invalid value.
    """
    table = to_table(model)
    for dotted, value in overrides.items():
        *path, leaf = dotted.split(".")
        node = table
        for depth, key in enumerate(path):
            if not isinstance(node.get(key), dict):
                where = ".".join(path[: depth + 1])
                raise ConfigError(f"override {dotted}: [{where}] is not a table of the model definition")
            node = node[key]
        node[leaf] = value
    try:
        return from_table(ModelDefinition, table)
    except ConfigError as exc:
        raise ConfigError(f"override: {exc}") from None
