"""A small trained-looking network on 784 inputs, built directly (no learning engine involved).

Twenty hidden units, two per class; each unit's weights are a random half
of the pixels of one training image of the bundled sample (sparse and
non-negative), its bias the squared norm, so the squared-distance triangle
responds to images near that prototype; each output sums its class's two
units. About half of the sample's test images are classified correctly:
enough for predictions to be meaningful, fast to build.
"""

import numpy as np
import scipy.sparse as sp

from neuroplastic.datasets import load_sample
from neuroplastic.network import TrainedNetwork


def prototype_network(seed=0, per_class=2, keep=0.5, activation="squared_distance_triangle"):
    rng = np.random.default_rng(seed)
    train = load_sample().train
    chosen = np.concatenate([rng.choice(np.flatnonzero(train.y == c), per_class, replace=False) for c in range(10)])
    hidden = sp.csr_matrix(train.X[chosen].astype(np.float64) * (rng.random((len(chosen), train.X.shape[1])) < keep))
    output = np.zeros((10, len(chosen)))
    output[train.y[chosen], np.arange(len(chosen))] = 1.0
    return TrainedNetwork(hidden_weights=hidden, hidden_bias=np.asarray(hidden.multiply(hidden).sum(axis=1)).ravel(),
                          output_weights=output, output_bias=np.zeros(10), activation=activation,
                          classes=np.arange(10), metadata={"method": "prototypes (test fixture)"})


def relu_network(seed=0):
    """The prototype network with a ReLU: weights of both signs, negative hidden biases, a signed readout and bias."""
    network = prototype_network(seed=seed, activation="relu")
    rng = np.random.default_rng(seed + 1)
    hidden = network.hidden_weights.tocsr().copy()
    hidden.data = hidden.data - 0.3 * rng.random(hidden.nnz)
    network.hidden_weights = hidden
    network.hidden_bias = -0.25 * network.hidden_bias
    network.output_weights = sp.csr_matrix(network.output_weights.toarray() - 0.2 * rng.random((10, hidden.shape[0])))
    network.output_bias = np.linspace(-0.5, 0.5, 10)
    return network
