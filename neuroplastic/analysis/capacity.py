"""Bits per synapse: the paper's C_S and Knoblauch's stored-information capacities."""

from .discrete import confusion_matrix, label_information_bits

__all__ = ["synaptic_capacity", "stored_information_capacity"]


def synaptic_capacity(i_xz_bits, nonsilent_hidden):
    """The paper's ``C_S = I(X;Z) / (non-silent input->hidden synapses)``, bits per synapse."""
    return float(i_xz_bits) / nonsilent_hidden if nonsilent_hidden else float("nan")


def stored_information_capacity(network, X_train, y_train, X_test=None, y_test=None):
    """Knoblauch's capacities with the stored information ``T = N_train * I(Y; Y_hat)``.

    Parameters
    ----------
    network : neuroplastic.network.TrainedNetwork
    X_train, y_train : array
        The training images; ``I(Y; Y_hat)`` is taken from their confusion
        matrix (what the network has stored about its training set).
    X_test, y_test : array, optional
        If given, ``I(Y; Y_hat)`` on the test images is reported too.

    Returns
    -------
    dict
        ``i_y_yhat_bits`` (per image), ``stored_bits`` (T),
        ``capacity_per_synapse`` (C^S = T / non-silent synapses, both
        layers), ``capacity_per_hidden_synapse`` (T / input->hidden
        non-silent), ``network_capacity`` (C = T / potential synapses).

    Notes
    -----
    Knoblauch's synaptic capacity C^S = T / #non-silent synapses and network
    capacity C = T / (m n); for a classifier T is taken as the number of
    training patterns times the label information per pattern.
    """
    confusion = confusion_matrix(y_train, network.predict(X_train), network.classes)
    i_y = label_information_bits(confusion)
    stored = len(y_train) * i_y
    nonsilent, potential = network.n_nonsilent, network.n_potential
    out = {
        "i_y_yhat_bits": i_y,
        "stored_bits": stored,
        "capacity_per_synapse": stored / nonsilent["total"] if nonsilent["total"] else float("nan"),
        "capacity_per_hidden_synapse": stored / nonsilent["hidden"] if nonsilent["hidden"] else float("nan"),
        "network_capacity": stored / potential["total"],
        "n_train": int(len(y_train)),
    }
    if X_test is not None:
        out["i_y_yhat_bits_test"] = label_information_bits(confusion_matrix(y_test, network.predict(X_test),
                                                                            network.classes))
    return out
