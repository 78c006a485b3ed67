"""Random corruptions of every file a user hands over end in one user error, never a traceback.

Property-based (hypothesis): the IDX reader, the model-definition loader,
the hardware-profile loader and the saved-network loader each get 500 random
corruptions of a valid file: truncation, byte flips, a wrong magic number or
format, wrong dimensions, NaN and infinite values, and garbage. A
corruption that must break the file must raise the project's error type
(:mod:`neuroplastic.errors`) with one line that names the file; one that
may leave it valid (a flipped byte in a comment, say) must either load or
raise that error. The file is never rewritten. A few cases go through the
command line as a subprocess: exit code 2, one line, no traceback.
"""

import gzip
import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroplastic.config import ModelDefinition, load_model
from neuroplastic.datasets import load_sample
from neuroplastic.datasets.folder import IDX_PARTS, load_idx_folder
from neuroplastic.errors import ConfigError, DataError, HardwareError, NeuroplasticError
from neuroplastic.hardware.profiles import HardwareProfile, load_profile
from neuroplastic.network import TrainedNetwork

ROOT = Path(__file__).resolve().parents[1]

#: 500 cases per loader, no time limit per case, the same cases on every run, nothing written to disk.
PROPERTY = settings(max_examples=500, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def assert_one_line_user_error(exc, error_type, names):
    assert isinstance(exc, error_type), f"{type(exc).__name__}: {exc}"
    message = str(exc)
    assert message and "\n" not in message, repr(message)
    assert names in message, f"{names!r} not in {message!r}"


def outcome(load, path, error_type, *, must_fail):
    """Load ``path``; check that it fails as a user error (or, unless ``must_fail``, loads); the file is kept."""
    before = digest(path)
    try:
        result = load(path)
    except NeuroplasticError as exc:
        assert_one_line_user_error(exc, error_type, str(path))
        result = None
    assert digest(path) == before, "the loader rewrote the file it read"
    assert not (must_fail and result is not None), "a corrupt file loaded without an error"
    return result


# -- corruptions shared by every format ------------------------------------------------------------------------

def truncate(content, position):
    """Strictly shorter than ``content``."""
    return content[: position % len(content)]


def flip(content, flips):
    data = bytearray(content)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    return bytes(data)


FLIPS = st.lists(st.tuples(st.integers(0, 2**20), st.integers(1, 255)), min_size=1, max_size=6)


# -- the IDX reader ----------------------------------------------------------------------------------------------

def idx_bytes(array, type_code=0x08):
    header = struct.pack(">HBB", 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    dtype = {0x08: ">u1", 0x0D: ">f4"}[type_code]
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


@pytest.fixture(scope="module")
def idx_files():
    """A valid four-file IDX data set (the first images of the bundled sample) as bytes per part."""
    sample = load_sample()
    return {"train_images": idx_bytes(sample.train.images[:12]), "train_labels": idx_bytes(sample.train.labels[:12]),
            "test_images": idx_bytes(sample.test.images[:6]), "test_labels": idx_bytes(sample.test.labels[:6])}


def corrupt_idx(content, kind, draw):
    """``(new content, must_fail)`` for one corruption of a valid IDX file."""
    ndim = content[3]
    if kind == "truncate":
        return truncate(content, draw(st.integers(0, 2**20))), True
    if kind == "trailing":
        return content + draw(st.binary(min_size=1, max_size=64)), True
    if kind == "magic":
        which = draw(st.sampled_from(["zero", "type", "ndim"]))
        data = bytearray(content)
        if which == "zero":
            data[draw(st.integers(0, 1))] = draw(st.integers(1, 255))
        elif which == "type":
            data[2] = draw(st.sampled_from([b for b in range(256) if b not in (0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)]))
        else:
            data[3] = 0
        return bytes(data), True
    if kind == "dims":
        dims = list(struct.unpack(f">{ndim}I", content[4: 4 + 4 * ndim]))
        axis = draw(st.integers(0, ndim - 1))
        dims[axis] = draw(st.integers(0, 2**32 - 1).filter(lambda v, old=dims[axis]: v != old))
        return content[:4] + struct.pack(f">{ndim}I", *dims) + content[4 + 4 * ndim:], True
    if kind == "nan":
        dims = struct.unpack(f">{ndim}I", content[4: 4 + 4 * ndim])
        values = np.frombuffer(content, dtype=">u1", offset=4 + 4 * ndim).astype(np.float32).reshape(dims)
        flat = values.reshape(-1)
        for position in draw(st.lists(st.integers(0, flat.size - 1), min_size=1, max_size=5)):
            flat[position] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return idx_bytes(values, type_code=0x0D), True
    if kind == "flip":
        return flip(content, draw(FLIPS)), False
    return draw(st.binary(max_size=300)), False  # garbage


def test_idx_reader_ends_every_corruption_in_one_user_error(idx_files):
    counts = {"failed": 0, "loaded": 0}

    @PROPERTY
    @given(st.data())
    def check(data):
        part = data.draw(st.sampled_from(sorted(IDX_PARTS)))
        kind = data.draw(st.sampled_from(["truncate", "trailing", "magic", "dims", "nan", "flip", "garbage",
                                          "gzip-truncate"]))
        content, must_fail = corrupt_idx(idx_files[part], "truncate" if kind == "gzip-truncate" else kind, data.draw)
        if kind == "gzip-truncate":  # a gzip stream cut short
            whole = gzip.compress(idx_files[part], mtime=0)
            content, must_fail = truncate(whole, data.draw(st.integers(0, 2**20))), True
        with tempfile.TemporaryDirectory() as folder:
            for name, original in idx_files.items():
                suffix = ".gz" if name == part and kind == "gzip-truncate" else ""
                (Path(folder) / (IDX_PARTS[name] + suffix)).write_bytes(content if name == part else original)
            target = Path(folder) / (IDX_PARTS[part] + (".gz" if kind == "gzip-truncate" else ""))
            others = {name: digest(Path(folder) / IDX_PARTS[name]) for name in idx_files if name != part}
            result = outcome(lambda _: load_idx_folder(folder), target, DataError, must_fail=must_fail)
            assert others == {name: digest(Path(folder) / IDX_PARTS[name]) for name in others}
        if result is None:
            counts["failed"] += 1
        else:
            counts["loaded"] += 1
            assert len(result.train) == len(result.train.labels) and result.train.images.dtype == np.uint8

    check()
    assert counts["failed"] + counts["loaded"] == 500 and counts["failed"] > 400


# -- the model-definition loader ---------------------------------------------------------------------------------

TOML_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "+nan", "-1", "0", "1e309", "true", '"text"', "[]", "[1, 2]", "{}",
                     "{ a = 1 }", '""', "2024-01-01", "-0.5", "99999999999999999999", "1" + "0" * 400]),
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(json.dumps),
)


def value_lines(text):
    """Indices of the ``key = value`` lines of a TOML text."""
    return [i for i, line in enumerate(text.splitlines()) if "=" in line and not line.lstrip().startswith("#")]


def replace_value(text, index, value):
    lines = text.splitlines()
    key = lines[index].split("=", 1)[0]
    lines[index] = f"{key}= {value}"
    return "\n".join(lines) + "\n"


def float_lines(text):
    """Lines whose value is a float literal (``x = 0.5  # comment``)."""
    found = []
    for i in value_lines(text):
        value = text.splitlines()[i].split("=", 1)[1].split("#", 1)[0].strip()
        try:
            float(value)
        except ValueError:
            continue
        if "." in value or "e" in value.lower():
            found.append(i)
    return found


def with_nan_float(text, draw):
    """A model file with one float field set to NaN or an infinity."""
    index = draw(st.sampled_from(float_lines(text)))
    return replace_value(text, index, draw(st.sampled_from(["nan", "inf", "-inf", "+inf", "-nan"])))


def with_nan_quantity(text, draw):
    """A profile with one quantity's value set to NaN or an infinity."""
    lines = text.splitlines()
    index = draw(st.sampled_from([i for i, line in enumerate(lines) if "value = " in line]))
    special = draw(st.sampled_from(["nan", "inf", "+inf", "-nan"]))
    lines[index] = re.sub(r"value = [^,}]+", f"value = {special}", lines[index])
    return "\n".join(lines) + "\n"


def corrupt_toml(text, kind, draw, section_pattern, nan=with_nan_float):
    """``(new bytes, must_fail)`` for one corruption of a valid TOML file."""
    content = text.encode("utf-8")
    if kind == "truncate":
        return truncate(content, draw(st.integers(0, 2**20))), False
    if kind == "flip":
        return flip(content, draw(FLIPS)), False
    if kind == "invalid-utf8":
        position = draw(st.integers(0, len(content)))
        return content[:position] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\x80"])) + \
            content[position:], True
    if kind == "wrong-type":
        index = draw(st.sampled_from(value_lines(text)))
        return replace_value(text, index, draw(TOML_VALUES)).encode("utf-8"), False
    if kind == "nan":
        return nan(text, draw).encode("utf-8"), True
    if kind == "unknown-key":
        lines = text.splitlines()
        sections = [i for i, line in enumerate(lines) if section_pattern(line)]
        at = draw(st.sampled_from(sections)) + 1
        return "\n".join(lines[:at] + ["surely_not_a_field = 1"] + lines[at:]).encode("utf-8"), True
    return draw(st.binary(max_size=300)), False  # garbage


TOML_KINDS = ["truncate", "flip", "invalid-utf8", "wrong-type", "nan", "unknown-key", "garbage"]


def test_model_loader_ends_every_corruption_in_one_user_error(tmp_path_factory):
    text = (ROOT / "models" / "mnist.toml").read_text(encoding="utf-8")
    folder = tmp_path_factory.mktemp("models")
    counts = {"failed": 0}

    @PROPERTY
    @given(st.data())
    def check(data):
        kind = data.draw(st.sampled_from(TOML_KINDS))
        content, must_fail = corrupt_toml(text, kind, data.draw, lambda line: line.startswith("["))
        path = folder / "corrupt.toml"
        path.write_bytes(content)
        result = outcome(load_model, path, ConfigError, must_fail=must_fail)
        if result is None:
            counts["failed"] += 1
        else:
            assert isinstance(result, ModelDefinition)

    check()
    assert counts["failed"] > 250


def test_profile_loader_ends_every_corruption_in_one_user_error(tmp_path_factory):
    text = (ROOT / "hardware_profiles" / "loihi2.toml").read_text(encoding="utf-8")
    folder = tmp_path_factory.mktemp("profiles")
    counts = {"failed": 0}

    @PROPERTY
    @given(st.data())
    def check(data):
        kind = data.draw(st.sampled_from(TOML_KINDS))
        if kind == "unknown-key":  # profiles allow extra keys; a missing required quantity must fail instead
            lines = text.splitlines()
            dropped = data.draw(st.sampled_from([i for i in value_lines(text) if "{" in lines[i]]))
            content, must_fail = "\n".join(line for i, line in enumerate(lines) if i != dropped).encode("utf-8"), True
        else:
            content, must_fail = corrupt_toml(text, kind, data.draw, None, nan=with_nan_quantity)
        path = folder / "corrupt.toml"
        path.write_bytes(content)
        result = outcome(load_profile, path, HardwareError, must_fail=must_fail)
        if result is None:
            counts["failed"] += 1
        else:
            assert isinstance(result, HardwareProfile)
            assert all(np.isfinite(q.value) and q.value >= 0 for q in result.quantities.values())

    check()
    assert counts["failed"] > 250


# -- the saved-network loader ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network_arrays():
    rng = np.random.default_rng(0)
    W = np.where(rng.random((5, 16)) < 0.3, rng.random((5, 16)), 0.0)
    network = TrainedNetwork(hidden_weights=W, hidden_bias=rng.standard_normal(5), output_weights=rng.random((3, 5)),
                             output_bias=np.zeros(3), activation="relu", classes=np.array([1, 2, 6]),
                             metadata={"model": "corrupt-test"})
    with tempfile.TemporaryDirectory() as folder:
        network.save(Path(folder) / "network.npz")
        content = (Path(folder) / "network.npz").read_bytes()
    with np.load(io.BytesIO(content)) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return content, arrays


def npz_bytes(arrays):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def corrupt_network(content, arrays, kind, draw):
    """``(new bytes, must_fail)`` for one corruption of a valid saved network."""
    arrays = dict(arrays)
    header = json.loads(arrays["header_json"].tobytes().decode("utf-8"))
    if kind == "truncate":
        return truncate(content, draw(st.integers(0, 2**20))), True
    if kind == "flip":
        return flip(content, draw(FLIPS)), False
    if kind == "garbage":
        return draw(st.binary(max_size=400)), False
    if kind == "nan":
        name = draw(st.sampled_from(["hidden_weights_data", "output_weights_data", "hidden_bias", "output_bias"]))
        values = arrays[name].astype(np.float64).copy()
        values[draw(st.integers(0, values.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        arrays[name] = values
    elif kind == "dims":
        name = draw(st.sampled_from(["hidden_weights_shape", "output_weights_shape", "hidden_bias", "output_bias",
                                     "hidden_weights_indptr", "output_weights_indices", "classes"]))
        if name.endswith("_shape"):
            shape = arrays[name].copy()
            axis = draw(st.integers(0, 1))
            if name == "hidden_weights_shape" and axis == 1:  # more inputs than any synapse uses is still valid
                values = st.one_of(st.integers(-3, int(arrays["hidden_weights_indices"].max())),
                                   st.integers(2**31, 2**40))
            else:
                values = st.integers(-3, 2**40).filter(lambda v, old=shape[axis]: v != old)
            shape[axis] = draw(values)
            arrays[name] = shape
        elif name.endswith("indices"):
            values = arrays[name].copy()
            values[draw(st.integers(0, values.size - 1))] = draw(st.sampled_from([-1, 10**6]))
            arrays[name] = values
        else:
            values = arrays[name]
            arrays[name] = values[: draw(st.integers(0, values.size - 1))] if draw(st.booleans()) else \
                np.concatenate([values, values[:1]])
    elif kind == "magic":
        which = draw(st.sampled_from(["format", "version", "json", "activation", "missing"]))
        if which == "format":
            header["format"] = draw(st.one_of(st.text(max_size=8), st.integers(), st.none()))
        elif which == "version":
            header["format_version"] = draw(st.one_of(st.integers(2, 10**6), st.text(max_size=4), st.none(),
                                                      st.lists(st.integers(), max_size=2)))
        elif which == "activation":
            header["activation"] = draw(st.one_of(st.text(max_size=8).filter(lambda s: s not in ("relu",)),
                                                  st.integers(), st.none()))
        if which == "json":
            raw = draw(st.sampled_from([b"{", b"[1, 2]", b"\xff\xfe", b"null", b'"text"', b""]))
        else:
            raw = json.dumps(header).encode("utf-8")
        arrays["header_json"] = np.frombuffer(raw, dtype=np.uint8)
        if which == "missing":
            del arrays[draw(st.sampled_from(sorted(arrays)))]
    return npz_bytes(arrays), True


def test_network_loader_ends_every_corruption_in_one_user_error(network_arrays, tmp_path_factory):
    content, arrays = network_arrays
    folder = tmp_path_factory.mktemp("networks")
    counts = {"failed": 0}

    @PROPERTY
    @given(st.data())
    def check(data):
        kind = data.draw(st.sampled_from(["truncate", "flip", "garbage", "nan", "dims", "magic"]))
        corrupted, must_fail = corrupt_network(content, arrays, kind, data.draw)
        path = folder / "network.npz"
        path.write_bytes(corrupted)
        result = outcome(TrainedNetwork.load, path, DataError, must_fail=must_fail)
        if result is None:
            counts["failed"] += 1
        else:
            assert result.n_inputs == 16 and np.isfinite(result.hidden_weights.data).all()

    check()
    assert counts["failed"] > 450


# -- through the command line ------------------------------------------------------------------------------------

def run_cli(*args, cwd):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "neuroplastic", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def assert_cli_user_error(completed, names):
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neuroplastic: error:"), completed.stderr
    assert "Traceback" not in completed.stderr and names in lines[0]


def test_cli_reports_a_truncated_network_in_one_line_and_keeps_the_run_folder(network_arrays, tmp_path):
    content, _ = network_arrays
    run = tmp_path / "run"
    run.mkdir()
    (run / "network.npz").write_bytes(content[: len(content) // 2])
    (run / "model.toml").write_text((ROOT / "models" / "mnist.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (run / "metrics.json").write_text('{"test_accuracy": 0.5}', encoding="utf-8")
    before = {p.name: digest(p) for p in run.iterdir()}
    assert_cli_user_error(run_cli("analyze", str(run), cwd=tmp_path), "network.npz")
    assert {p.name: digest(p) for p in run.iterdir()} == before


def test_cli_reports_a_model_file_with_nan_in_one_line(tmp_path):
    text = (ROOT / "models" / "mnist.toml").read_text(encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(replace_value(text, float_lines(text)[0], "nan"), encoding="utf-8")
    before = digest(path)
    assert_cli_user_error(run_cli("validate", str(path), cwd=tmp_path), "bad.toml")
    assert digest(path) == before


def test_cli_reports_a_truncated_idx_file_in_one_line(idx_files, tmp_path):
    for name, content in idx_files.items():
        (tmp_path / IDX_PARTS[name]).write_bytes(content[:-3] if name == "train_labels" else content)
    assert_cli_user_error(run_cli("data", "--data", str(tmp_path), cwd=tmp_path), IDX_PARTS["train_labels"])
