"""Reading and writing model definitions (``models/*.toml``).

A definition may inherit from another with a top-level ``extends`` key::

    extends = "mnist_sparse.toml"     # relative to this file

    [model]
    name = "regime_fast_turnover"

    [rule.rewiring]
    period = 1000

The base is loaded first (it may extend another in turn) and this file's
tables are merged into it key by key: a table merges, any other value
replaces. What is saved with a run (:func:`dump_model`) is the resolved
whole, without ``extends``.
"""

import os
import sys
from pathlib import Path

from ..errors import ConfigError
from ..resources import bundled_names, find_bundled
from .schema import ModelDefinition
from .typed import from_table, to_table, to_toml

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = ["EXTENDS", "base_chain", "load_model", "parse_model", "dump_model", "model_path", "merge_tables",
           "with_overrides"]

#: The top-level key naming the base definition.
EXTENDS = "extends"


def merge_tables(base, override):
    """Deep-merge two TOML tables: tables merge key by key, other values in ``override`` replace.

    Neither argument is modified.

    Examples
    --------
    >>> merge_tables({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}})
    {'a': {'x': 1, 'y': 3}, 'b': 1}
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def model_path(name_or_path):
    """The file of a model definition given by path or by bundled name.

    Parameters
    ----------
    name_or_path : str or Path
        A file (``models/mnist.toml``, ``my.toml``) or the name of a bundled
        definition (``mnist``, ``mnist_sparse``, ``regimes/fast_turnover``).
        An existing file wins over a bundled name.

    Returns
    -------
    Path

    Raises
    ------
    ConfigError
        If it is neither a file nor a bundled name.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    bundled = None if path.exists() else find_bundled("models", name_or_path)
    if bundled is None:
        names = ", ".join(bundled_names("models"))
        raise ConfigError(f"{path}: no such model definition (a .toml file, or a bundled name: {names})")
    return bundled


def _read_table(path):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such model definition") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    return _parse_toml(text, str(path))


def _parse_toml(text, source):
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def _base_path(base, source, folder):
    """The file an ``extends = base`` in ``source`` (a file in ``folder``) names: beside it, else bundled."""
    if not isinstance(base, str) or not base:
        raise ConfigError(f"{source}: {EXTENDS} must name a base model file, got {base!r}")
    base_path = Path(folder) / base
    if not base_path.is_file():
        base_path = find_bundled("models", base)
        if base_path is None:
            raise ConfigError(f"{source}: {EXTENDS} = {base!r}: no such model definition beside it or bundled")
    return base_path


def base_chain(path):
    """The files a model definition extends, nearest first (empty if it extends none).

    Parameters
    ----------
    path : str or Path
        A file, or a bundled name (see :func:`model_path`).

    Returns
    -------
    list of Path
        The base it names, that base's base, and so on (``..`` folded where
        that names the same file).

    Raises
    ------
    ConfigError
        If a file is missing or not TOML, a base is missing, or the chain makes a cycle.
    """
    path = model_path(path)
    chain, seen = [], {path.resolve()}
    table, source, folder = _read_table(path), str(path), path.parent
    while EXTENDS in table:
        base_path = _base_path(table[EXTENDS], source, folder)
        if base_path.resolve() in seen:
            raise ConfigError(f"{source}: {EXTENDS} = {table[EXTENDS]!r} makes a cycle")
        seen.add(base_path.resolve())
        tidy = Path(os.path.normpath(base_path))  # models/regimes/../x.toml -> models/x.toml, if the same file
        chain.append(tidy if tidy.is_file() and tidy.resolve() == base_path.resolve() else base_path)
        table, source, folder = _read_table(base_path), str(base_path), base_path.parent
    return chain


def _resolve(table, source, folder, chain):
    """``table`` with its ``extends`` chain merged in; ``chain`` holds the files already on the way."""
    if EXTENDS not in table:
        return table
    table = dict(table)
    base = table.pop(EXTENDS)
    base_path = _base_path(base, source, folder)
    key = base_path.resolve()
    if key in chain:
        names = " -> ".join([*(p.name for p in chain), key.name])
        raise ConfigError(f"{source}: {EXTENDS} = {base!r} makes a cycle ({names})")
    base_table = _resolve(_read_table(base_path), str(base_path), base_path.parent, (*chain, key))
    return merge_tables(base_table, table)


def _to_model(table, source):
    try:
        return from_table(ModelDefinition, table)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def parse_model(text, *, source="<string>", base_dir="."):
    """Parse model-definition TOML text.

    Parameters
    ----------
    text : str
    source : str
        Name used in error messages (normally the file's path).
    base_dir : str or Path
        Folder that an ``extends`` path is relative to.

    Returns
    -------
    ModelDefinition

    Raises
    ------
    ConfigError
        One line naming ``source``, the table and field, and the reason.
    """
    table = _resolve(_parse_toml(text, source), source, base_dir, ())
    return _to_model(table, source)


def load_model(path):
    """Load a model definition from a TOML file or a bundled name, resolving ``extends``.

    Parameters
    ----------
    path : str or Path
        A file, or a bundled name (see :func:`model_path`).

    Returns
    -------
    ModelDefinition

    Raises
    ------
    ConfigError
        If the file is missing, is not TOML, extends a missing base or
        makes a cycle, or holds an unknown key, a wrongly typed value or an
        impossible value.

    Examples
    --------
    >>> model = load_model("mnist_sparse")
    >>> model.network.n_hidden > 0
    True
    """
    path = model_path(path)
    table = _resolve(_read_table(path), str(path), path.parent, (path.resolve(),))
    return _to_model(table, str(path))


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
