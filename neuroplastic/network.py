"""The trained network: the one saved artefact every later stage reads.

An engine trains, then hands over a :class:`TrainedNetwork`. Analysis,
hardware mapping and reports read only this object (or its file), never the
engine. The file is a versioned ``.npz`` without pickles, and loads back
bit for bit.
"""

import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .atomic import atomic_write_bytes
from .errors import DataError
from .inference import ForwardPlan, forward, resolve_backend
from .rule.activations import ACTIVATIONS, hidden_activity

__all__ = ["FORMAT_VERSION", "LayerSizes", "TrainedNetwork", "all_finite", "load_network"]

#: Version of the saved-network file format. Readers refuse newer versions.
FORMAT_VERSION = 1


def _as_csr(matrix):
    return matrix.tocsr() if sp.issparse(matrix) else sp.csr_matrix(np.asarray(matrix))


def softmax(potentials):
    """Row-wise softmax, stable for large potentials."""
    shifted = potentials - potentials.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


class LayerSizes:
    """Layer sizes of anything with ``hidden_weights`` (hidden x inputs) and ``output_weights`` (classes x hidden)."""

    @property
    def n_inputs(self):
        return int(self.hidden_weights.shape[1])

    @property
    def n_hidden(self):
        return int(self.hidden_weights.shape[0])

    @property
    def n_classes(self):
        return int(self.output_weights.shape[0])


@dataclass
class TrainedNetwork(LayerSizes):
    """A one-hidden-layer network with sparse, non-silent synapses.

    Parameters
    ----------
    hidden_weights : scipy.sparse.csr_matrix, shape (n_hidden, n_inputs)
        Input-to-hidden efficacies; stored entries are the non-silent synapses.
    hidden_bias : numpy.ndarray, shape (n_hidden,)
    output_weights : scipy.sparse.csr_matrix, shape (n_classes, n_hidden)
        Hidden-to-output efficacies; stored entries are the non-silent synapses.
    output_bias : numpy.ndarray, shape (n_classes,)
    activation : str
        Name of the hidden activation in :mod:`neuroplastic.rule.activations`.
    classes : numpy.ndarray
        The label of each output unit.
    activation_params : dict
        Extra parameters of the activation (JSON-serialisable).
    metadata : dict
        Free description: method, model name, seed, training figures.
    """

    hidden_weights: sp.csr_matrix
    hidden_bias: np.ndarray
    output_weights: sp.csr_matrix
    output_bias: np.ndarray
    activation: str
    classes: np.ndarray
    activation_params: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    _plan: tuple = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        self.hidden_weights = _as_csr(self.hidden_weights)
        self.output_weights = _as_csr(self.output_weights)
        self.hidden_weights.eliminate_zeros()
        self.output_weights.eliminate_zeros()
        self.hidden_bias = np.asarray(self.hidden_bias)
        self.output_bias = np.asarray(self.output_bias)
        self.classes = np.asarray(self.classes)
        n_hidden, _ = self.hidden_weights.shape
        n_classes = self.classes.shape[0]
        if self.hidden_bias.shape != (n_hidden,):
            raise DataError(f"hidden_bias must have shape ({n_hidden},), got {self.hidden_bias.shape}")
        if self.output_weights.shape != (n_classes, n_hidden):
            raise DataError(f"output_weights must have shape ({n_classes}, {n_hidden}), got {self.output_weights.shape}")
        if self.output_bias.shape != (n_classes,):
            raise DataError(f"output_bias must have shape ({n_classes},), got {self.output_bias.shape}")

    # -- sizes ---------------------------------------------------------------
    @property
    def n_nonsilent(self):
        """Non-silent synapses per layer and in total.

        Returns
        -------
        dict
            ``{"hidden": ..., "output": ..., "total": ...}``.
        """
        hidden = int(self.hidden_weights.count_nonzero())
        output = int(self.output_weights.count_nonzero())
        return {"hidden": hidden, "output": output, "total": hidden + output}

    @property
    def n_potential(self):
        """Potential synapses per layer (every input-hidden and hidden-output pair)."""
        hidden = self.n_inputs * self.n_hidden
        output = self.n_hidden * int(self.classes.shape[0])
        return {"hidden": hidden, "output": output, "total": hidden + output}

    # -- inference -----------------------------------------------------------
    def _check_inputs(self, X):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise DataError(f"inputs must have shape (n, {self.n_inputs}), got {X.shape}")
        if not all_finite(X):
            raise DataError("inputs contain NaN or infinite values")
        return X

    def hidden(self, X):
        """Hidden-layer activity for inputs ``X`` of shape ``(n, n_inputs)``."""
        X = self._check_inputs(X)
        return hidden_activity(X, self.hidden_weights, self.hidden_bias, self.activation, **self.activation_params)

    def decision_function(self, X, *, backend="auto"):
        """Output potentials, shape ``(n, n_classes)``.

        Parameters
        ----------
        X : array-like, shape (n, n_inputs)
        backend : {"auto", "numba", "numpy"}
            The compiled kernel (``"numba"``, the default when Numba is
            installed) or the NumPy reference path; see
            :func:`neuroplastic.inference.forward`.
        """
        X = self._check_inputs(X)
        backend = resolve_backend(backend)
        return forward(self, X, backend=backend, plan=self._forward_plan() if backend == "numba" else None)

    def predict_proba(self, X, *, backend="auto"):
        """Class probabilities (softmax of the output potentials)."""
        return softmax(self.decision_function(X, backend=backend))

    def predict(self, X, *, backend="auto"):
        """Predicted labels."""
        return self.classes[np.argmax(self.decision_function(X, backend=backend), axis=1)]

    def score(self, X, y, *, backend="auto"):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X, backend=backend) == np.asarray(y)))

    def _forward_plan(self):
        """The kernel's layout of the weights, kept while the weight and bias arrays are the same objects.

        Replace a weight matrix or bias (as every engine does) rather than
        editing its values in place: an in-place edit is not seen by a plan
        built before it.
        """
        arrays = (self.hidden_weights, self.hidden_weights.data, self.hidden_weights.indices,
                  self.hidden_weights.indptr, self.hidden_bias, self.output_weights, self.output_weights.data,
                  self.output_weights.indices, self.output_weights.indptr, self.output_bias)
        key = tuple(id(a) for a in arrays) + (self.activation, sorted(self.activation_params.items()))
        if self._plan is None or self._plan[0] != key:
            self._plan = (key, ForwardPlan.from_network(self))
        return self._plan[1]

    # -- files ---------------------------------------------------------------
    def save(self, path):
        """Write the network to ``path`` (``.npz``) atomically.

        Parameters
        ----------
        path : str or Path
        """
        arrays = {}
        for name in ("hidden_weights", "output_weights"):
            matrix = getattr(self, name)
            arrays[f"{name}_data"] = matrix.data
            arrays[f"{name}_indices"] = matrix.indices
            arrays[f"{name}_indptr"] = matrix.indptr
            arrays[f"{name}_shape"] = np.asarray(matrix.shape, dtype=np.int64)
        arrays["hidden_bias"] = self.hidden_bias
        arrays["output_bias"] = self.output_bias
        arrays["classes"] = self.classes
        header = {
            "format": "neuroplastic.TrainedNetwork",
            "format_version": FORMAT_VERSION,
            "activation": self.activation,
            "activation_params": self.activation_params,
            "metadata": self.metadata,
        }
        arrays["header_json"] = np.frombuffer(json.dumps(header, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        atomic_write_bytes(path, buffer.getvalue())

    @classmethod
    def load(cls, path):
        """Read a network written by :meth:`save`.

        Raises
        ------
        DataError
            If the file is missing, damaged, of an unknown format version, or
            holds arrays of inconsistent shapes or non-finite values.
        """
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
        except FileNotFoundError:
            raise DataError(f"{path}: no such network file") from None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
            raise DataError(f"{path}: not a saved network ({_one_line(exc)})") from None
        try:
            header = _read_header(arrays.pop("header_json"), path)
            matrices = {name: _read_csr(arrays, name) for name in ("hidden_weights", "output_weights")}
            network = cls(
                hidden_bias=_finite(arrays["hidden_bias"], "hidden_bias"),
                output_bias=_finite(arrays["output_bias"], "output_bias"),
                classes=arrays["classes"],
                activation=header["activation"],
                activation_params=header["activation_params"],
                metadata=header["metadata"],
                **matrices,
            )
        except KeyError as exc:
            raise DataError(f"{path}: saved network lacks the field {exc.args[0]!r}") from None
        except DataError as exc:
            message = str(exc)
            raise DataError(message if message.startswith(f"{path}:") else f"{path}: {message}") from None
        except (ValueError, TypeError, IndexError, OverflowError) as exc:
            raise DataError(f"{path}: damaged network arrays ({_one_line(exc)})") from None
        if network.classes.ndim != 1:
            raise DataError(f"{path}: classes must be a 1-d array, got shape {network.classes.shape}")
        if network.activation not in ACTIVATIONS:
            raise DataError(f"{path}: unknown activation {network.activation!r}")
        if not isinstance(network.activation_params, dict) or not isinstance(network.metadata, dict):
            raise DataError(f"{path}: activation_params and metadata must be JSON objects")
        return network


def all_finite(X):
    """Whether every value of ``X`` is finite.

    A NaN or an infinity makes the dot product of the values with
    themselves NaN or infinite, so one product (BLAS, no temporary array)
    answers for finite data; only when it is not finite, which huge finite
    values can also cause, are the values tested one by one. For 1,000
    MNIST images that is 55 us instead of 100 us, and for one image 1 us
    instead of 5 us, on every call of ``predict``. The learners' input
    checks use it too.
    """
    if X.dtype in (np.float32, np.float64):  # BLAS types: the product sets no floating-point warning
        flat = X.reshape(-1)
        if np.isfinite(np.dot(flat, flat)):
            return True
    return bool(np.all(np.isfinite(X)))


def _one_line(exc):
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_header(raw, path):
    """The JSON header of a saved network, checked for its format and version."""
    try:
        header = json.loads(np.asarray(raw).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a saved network (unreadable header: {_one_line(exc)})") from None
    if not isinstance(header, dict) or header.get("format") != "neuroplastic.TrainedNetwork":
        found = header.get("format") if isinstance(header, dict) else header
        raise DataError(f"{path}: not a saved network (format {found!r:.60})")
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise DataError(f"{path}: format_version must be an integer, got {version!r:.60}")
    if version > FORMAT_VERSION:
        raise DataError(f"{path}: format version {version} is newer than this neuroplastic reads ({FORMAT_VERSION})")
    return header


def _finite(values, name):
    values = np.asarray(values)
    if values.dtype.kind not in "biuf" or not np.isfinite(values).all():
        raise DataError(f"{name} must hold finite numbers")
    return values


def _read_csr(arrays, name):
    """A sparse matrix from its saved parts, checked for consistency and finite values."""
    shape = np.asarray(arrays[f"{name}_shape"])
    if shape.shape != (2,) or shape.dtype.kind not in "iu" or (shape < 0).any() or (shape > 2**31 - 1).any():
        raise DataError(f"{name} has an invalid shape {shape.tolist()!r:.60}")
    matrix = sp.csr_matrix((_finite(arrays[f"{name}_data"], name), arrays[f"{name}_indices"],
                            arrays[f"{name}_indptr"]), shape=tuple(int(v) for v in shape))
    matrix.check_format(full_check=True)
    return matrix


def load_network(path):
    """Read a saved :class:`TrainedNetwork` (see :meth:`TrainedNetwork.load`)."""
    return TrainedNetwork.load(path)
