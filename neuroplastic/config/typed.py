"""Build typed dataclasses from TOML tables, with one-line errors.

The checks are generic: every field's annotation says which TOML values it
accepts, and a dataclass may add a ``validate()`` method that raises
:class:`~neuroplastic.errors.ConfigError` for impossible values.
"""

import dataclasses
import math
import typing

from ..errors import ConfigError

__all__ = ["from_table", "to_table", "to_toml"]


def _describe(value):
    return f"{type(value).__name__} {value!r}"


def _convert(value, kind, field):
    """Check ``value`` against the annotation ``kind``; return the typed value."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is typing.Union:
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(value, inner, field)
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(field, f"must be one of {', '.join(map(repr, args))}, got {value!r}")
        return value
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(field, f"must be a list, got {_describe(value)}")
        inner = args[0] if args else typing.Any
        items = tuple(_convert(item, inner, f"{field}[{i}]") for i, item in enumerate(value))
        return items if origin is tuple else list(items)
    if kind is typing.Any:
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(field, f"must be true or false, got {_describe(value)}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(field, f"must be an integer, got {_describe(value)}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(field, f"must be a number, got {_describe(value)}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ConfigError(field, f"must be a finite number, got {_describe(value)[:60]}")
        return number
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(field, f"must be a string, got {_describe(value)}")
        return value
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ConfigError(field, f"must be a table, got {_describe(value)}")
        return from_table(kind, value, section=field)
    raise TypeError(f"unsupported annotation {kind!r} for {field}")  # a bug, not a user error


def from_table(cls, table, *, section=""):
    """Build dataclass ``cls`` from a TOML table.

    Parameters
    ----------
    cls : type
        A dataclass whose field annotations are bool, int, float, str,
        ``Optional``, ``Literal``, ``tuple[...]`` or nested dataclasses.
    table : dict
        Parsed TOML.
    section : str
        Dotted name of the table, for messages (``"rule.hidden"``).

    Returns
    -------
    object
        An instance of ``cls``, checked by its ``validate()`` if it has one.

    Raises
    ------
    ConfigError
        With ``field`` set to the dotted field name (``"[rule.hidden] eta"``).
    """
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    where = f"[{section}] " if section else ""
    unknown = sorted(set(table) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields))
        raise ConfigError(f"{where}{unknown[0]}", f"is not a known key (known: {known})")
    values = {}
    for name, value in table.items():
        dotted = f"{section}.{name}" if section else name
        try:
            values[name] = _convert(value, hints[name], dotted)
        except ConfigError as exc:
            if dataclasses.is_dataclass(hints[name]) or typing.get_origin(hints[name]) in (tuple, list):
                raise  # already names its own table or item
            raise ConfigError(f"{where}{name}", exc.reason) from None
    missing = [n for n, f in fields.items() if n not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{where}{missing[0]}", "is required")
    instance = cls(**values)
    validate = getattr(instance, "validate", None)
    if validate is not None:
        try:
            validate()
        except ConfigError as exc:
            if exc.field is None:
                raise ConfigError(f"{where}{exc}") from None
            raise ConfigError(f"{where}{exc.field}", exc.reason) from None
    return instance


def to_table(instance):
    """Turn a (nested) dataclass back into plain TOML-ready values."""
    out = {}
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        if dataclasses.is_dataclass(value):
            value = to_table(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def to_toml(table, prefix=""):
    """Write nested dicts as TOML text (tables after plain keys; ``None`` is omitted)."""
    lines, subtables = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            subtables.append((key, value))
        elif value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, value in subtables:
        name = f"{prefix}.{key}" if prefix else key
        body = to_toml(value, name)
        if any(not isinstance(v, dict) for v in value.values()) or not value:
            lines.append(f"\n[{name}]")
        lines.append(body)
    return "\n".join(line for line in lines if line != "").strip() + "\n"
