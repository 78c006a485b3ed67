"""Compiled forward pass (Numba), one block of images at a time.

For each block the kernel copies the pixels that some synapse reads into a
pixels x images array, so that images are the innermost, contiguous axis.
Each non-silent synapse is then one vectorised multiply-add over the block,
and the work is proportional to the number of synapses that exist, plus one
activation per hidden unit and image (the triangles need a second pass
for the population mean). A full readout then takes the hidden units four
at a time: it completes their activity and adds it into every output while
their rows are in the cache. A sparse readout walks each output unit's
synapses as the hidden layer walks its own. Neither is a BLAS product:
OpenBLAS's threads inside Numba's threads oversubscribe the cores, and a
product per output unit would read the block's hidden activity once per
output.

Blocks run in parallel on Numba's threads (``numba.set_num_threads`` or the
``NUMBA_NUM_THREADS`` environment variable set how many). The arithmetic is
float32, as in the NumPy path, but sums are taken in a different order and
with fused multiply-adds, so the two agree to rounding, not bit for bit.
"""

import numpy as np
from numba import njit, prange

__all__ = ["ACTIVATION_CODES", "forward", "forward_serial", "forward_single"]

#: Inputs are checked finite before the kernel runs, so no NaN or infinity arises and the sign of a zero
#: does not matter: with these flags ``max`` and ``sqrt`` vectorise. ``contract`` lets a multiply and an add
#: fuse into one instruction (FMA); no sum is reordered by the flags.
FLAGS = {"nnan", "ninf", "nsz", "contract"}

#: Activation name -> the integer the kernel switches on.
ACTIVATION_CODES = {
    "relu": 0,
    "sigmoid": 1,
    "paper_sigmoid": 2,
    "triangle": 3,
    "triangle_squared": 3,
    "squared_distance_triangle": 4,
}


@njit(cache=True, nogil=True)
def _gather(X, start, stop, pixels, inputs):
    """Copy the used pixels of images ``start:stop`` into ``inputs`` (pixels x images), 16 images at a time."""
    for b0 in range(start, stop, 16):
        b1 = min(stop, b0 + 16)
        for i in range(pixels.shape[0]):
            pixel = pixels[i]
            for b in range(b0, b1):
                inputs[i, b - start] = X[b, pixel]


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _accumulate(rows, indptr, indices, data, r, acc):
    """``acc += sum_p data[p] * rows[indices[p]]`` over the synapses of row ``r``, eight or four at a time."""
    p = indptr[r]
    end = indptr[r + 1]
    while p + 8 <= end:
        x0, x1, x2, x3 = rows[indices[p]], rows[indices[p + 1]], rows[indices[p + 2]], rows[indices[p + 3]]
        x4, x5, x6, x7 = rows[indices[p + 4]], rows[indices[p + 5]], rows[indices[p + 6]], rows[indices[p + 7]]
        w0, w1, w2, w3 = data[p], data[p + 1], data[p + 2], data[p + 3]
        w4, w5, w6, w7 = data[p + 4], data[p + 5], data[p + 6], data[p + 7]
        for b in range(acc.shape[0]):
            acc[b] += (((w0 * x0[b] + w1 * x1[b]) + (w2 * x2[b] + w3 * x3[b]))
                       + ((w4 * x4[b] + w5 * x5[b]) + (w6 * x6[b] + w7 * x7[b])))
        p += 8
    while p + 4 <= end:
        x0, x1, x2, x3 = rows[indices[p]], rows[indices[p + 1]], rows[indices[p + 2]], rows[indices[p + 3]]
        w0, w1, w2, w3 = data[p], data[p + 1], data[p + 2], data[p + 3]
        for b in range(acc.shape[0]):
            acc[b] += (w0 * x0[b] + w1 * x1[b]) + (w2 * x2[b] + w3 * x3[b])
        p += 4
    while p < end:
        x0 = rows[indices[p]]
        w0 = data[p]
        for b in range(acc.shape[0]):
            acc[b] += w0 * x0[b]
        p += 1


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _hidden(inputs, norms, indptr, indices, data, bias, code, power, gain, hidden, mean):
    """First pass of one block (units x images): activities, or for the triangles each unit's distance term.

    The triangle activations also need the population mean of that term,
    which this pass leaves in ``mean``; :func:`_finish` completes a unit's
    activity from it.
    """
    n_hidden, n_images = hidden.shape
    zero = hidden.dtype.type(0.0)
    half = hidden.dtype.type(0.5)
    one = hidden.dtype.type(1.0)
    two = hidden.dtype.type(2.0)
    g = hidden.dtype.type(0.5 * gain)
    mean[:] = zero
    for j in range(n_hidden):
        acc = hidden[j]
        acc[:] = zero
        _accumulate(inputs, indptr, indices, data, j, acc)
        b_j = bias[j]
        if code == 3:      # distance to the unit's weights; the triangle needs the population mean
            for b in range(n_images):
                d = np.sqrt(max(acc[b] * -two + b_j + norms[b], zero))
                acc[b] = d
                mean[b] += d
        elif code == 4:    # squared-distance triangle: sum minus half the squared norm
            for b in range(n_images):
                v = acc[b] - half * b_j
                acc[b] = v
                mean[b] += v
        elif code == 0:
            for b in range(n_images):
                acc[b] = max(acc[b] + b_j, zero)
        elif code == 1:
            for b in range(n_images):
                acc[b] = half * (one + np.tanh(half * (acc[b] + b_j)))
        else:
            for b in range(n_images):
                acc[b] = max(np.tanh(g * (acc[b] + b_j)), zero)
    if code >= 3:
        mean /= n_hidden


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _finish(row, mean, code, power):
    """Complete one unit's activity from the first pass (a no-op unless the activation is a triangle)."""
    zero = row.dtype.type(0.0)
    if code == 3:
        for b in range(row.shape[0]):
            row[b] = max(mean[b] - row[b], zero)
        if power != 1.0:
            p = row.dtype.type(power)
            for b in range(row.shape[0]):
                row[b] = row[b] ** p
    elif code == 4:
        two = row.dtype.type(2.0)
        for b in range(row.shape[0]):
            row[b] = max((row[b] - mean[b]) * two, zero)


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _read_out(hidden, mean, code, power, o_indptr, o_indices, o_data, o_dense, potentials):
    """Complete the block's hidden activity and add it through the output synapses into ``potentials``.

    A full readout (``o_dense``) takes four hidden units at a time, each
    completed just before its weights read it, so the block's hidden
    activity is read once after the first pass; a product per output unit
    would read it once per output. A sparse readout completes every unit
    first, then walks each output unit's synapses.
    """
    n_hidden = hidden.shape[0]
    potentials[:] = 0.0
    if o_dense.shape[0] != potentials.shape[0]:
        for j in range(n_hidden):
            _finish(hidden[j], mean, code, power)
        for c in range(potentials.shape[0]):
            _accumulate(hidden, o_indptr, o_indices, o_data, c, potentials[c])
        return
    j = 0
    while j + 4 <= n_hidden:
        h0, h1, h2, h3 = hidden[j], hidden[j + 1], hidden[j + 2], hidden[j + 3]
        _finish(h0, mean, code, power)
        _finish(h1, mean, code, power)
        _finish(h2, mean, code, power)
        _finish(h3, mean, code, power)
        for c in range(potentials.shape[0]):
            w0, w1, w2, w3 = o_dense[c, j], o_dense[c, j + 1], o_dense[c, j + 2], o_dense[c, j + 3]
            pc = potentials[c]
            for b in range(pc.shape[0]):
                pc[b] += (w0 * h0[b] + w1 * h1[b]) + (w2 * h2[b] + w3 * h3[b])
        j += 4
    while j < n_hidden:
        h0 = hidden[j]
        _finish(h0, mean, code, power)
        for c in range(potentials.shape[0]):
            w0 = o_dense[c, j]
            pc = potentials[c]
            for b in range(pc.shape[0]):
                pc[b] += w0 * h0[b]
        j += 1


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _block(X, X_norms, start, stop, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
           o_indptr, o_indices, o_data, o_dense, o_bias, inputs, hidden, mean, potentials, out):
    """Output potentials of images ``start:stop`` into ``out``, in buffers sized for the block."""
    _gather(X, start, stop, pixels, inputs)
    _hidden(inputs, X_norms[start:stop], h_indptr, h_indices, h_data, h_bias, code, power, gain, hidden, mean)
    _read_out(hidden, mean, code, power, o_indptr, o_indices, o_data, o_dense, potentials)
    n_outputs = o_bias.shape[0]
    for b in range(stop - start):
        for c in range(n_outputs):
            out[start + b, c] = potentials[c, b] + o_bias[c]


@njit(cache=True, nogil=True)
def _run(X, X_norms, first, last, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
         o_indptr, o_indices, o_data, o_dense, o_bias, block, out):
    """Images ``first:last`` block by block, reusing one set of buffers (fresh large arrays cost page faults)."""
    dtype = h_data.dtype
    size = min(block, last - first)
    inputs = np.empty((pixels.shape[0], size), dtype=dtype)
    hidden = np.empty((h_indptr.shape[0] - 1, size), dtype=dtype)
    mean = np.empty(size, dtype=dtype)
    potentials = np.empty((o_bias.shape[0], size), dtype=dtype)
    for start in range(first, last, block):
        stop = min(last, start + block)
        if stop - start != size:  # the last, shorter block
            size = stop - start
            inputs = np.empty((pixels.shape[0], size), dtype=dtype)
            hidden = np.empty((h_indptr.shape[0] - 1, size), dtype=dtype)
            mean = np.empty(size, dtype=dtype)
            potentials = np.empty((o_bias.shape[0], size), dtype=dtype)
        _block(X, X_norms, start, stop, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
               o_indptr, o_indices, o_data, o_dense, o_bias, inputs, hidden, mean, potentials, out)


@njit(cache=True, parallel=True)
def forward(X, X_norms, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
            o_indptr, o_indices, o_data, o_dense, o_bias, block, n_threads):
    """Output potentials of a sparse one-hidden-layer network, blocks in parallel.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_inputs), C-contiguous, dtype of ``h_data``
    X_norms : numpy.ndarray, shape (n,)
        ``||x||^2`` of every input (read by the triangle activations only).
    pixels : numpy.ndarray of int32
        The inputs that at least one synapse reads.
    h_indptr, h_indices, h_data : numpy.ndarray
        Input->hidden synapses per hidden unit (CSR), indices into ``pixels``.
    h_bias : numpy.ndarray, shape (n_hidden,)
    code : int
        :data:`ACTIVATION_CODES` of the activation.
    power, gain : float
        Exponent of the triangle activations and gain of the paper's sigmoid.
    o_indptr, o_indices, o_data : numpy.ndarray
        Hidden->output synapses per output unit (CSR).
    o_dense : numpy.ndarray, shape (n_outputs, n_hidden) or (0, 0)
        The readout as a dense matrix when it is mostly non-silent, else
        empty (the kernels then walk the CSR arrays).
    o_bias : numpy.ndarray, shape (n_outputs,)
    block : int
        Images per block.
    n_threads : int
        Numba's thread count (``numba.get_num_threads()``): the images are cut
        into this many runs of whole blocks.

    Returns
    -------
    numpy.ndarray, shape (n, n_outputs), dtype of ``h_data``
    """
    n = X.shape[0]
    out = np.empty((n, o_bias.shape[0]), dtype=h_data.dtype)
    n_blocks = (n + block - 1) // block
    n_chunks = max(1, min(n_threads, n_blocks))
    for k in prange(n_chunks):  # one chunk of whole blocks per thread
        first = (k * n_blocks // n_chunks) * block
        last = min(n, ((k + 1) * n_blocks // n_chunks) * block)
        _run(X, X_norms, first, last, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
             o_indptr, o_indices, o_data, o_dense, o_bias, block, out)
    return out


@njit(cache=True)
def forward_serial(X, X_norms, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
                   o_indptr, o_indices, o_data, o_dense, o_bias, block):
    """As :func:`forward`, on the calling thread only (no parallel launch: the low-latency path for a few images)."""
    out = np.empty((X.shape[0], o_bias.shape[0]), dtype=h_data.dtype)
    _run(X, X_norms, 0, X.shape[0], pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
         o_indptr, o_indices, o_data, o_dense, o_bias, block, out)
    return out


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _sum(values):
    """Sum of a vector with eight running partial sums (one running sum is a chain of dependent additions)."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = values.dtype.type(0.0)
    n = values.shape[0]
    j = 0
    while j + 8 <= n:
        s0 += values[j]
        s1 += values[j + 1]
        s2 += values[j + 2]
        s3 += values[j + 3]
        s4 += values[j + 4]
        s5 += values[j + 5]
        s6 += values[j + 6]
        s7 += values[j + 7]
        j += 8
    while j < n:
        s0 += values[j]
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _activate(u, norm, bias, code, power, gain):
    """Turn the synaptic sums ``u`` of one image into hidden activity, in place (vectorised loops)."""
    zero = u.dtype.type(0.0)
    half = u.dtype.type(0.5)
    one = u.dtype.type(1.0)
    two = u.dtype.type(2.0)
    n_hidden = u.shape[0]
    if code == 3:
        for j in range(n_hidden):
            u[j] = np.sqrt(max(u[j] * -two + bias[j] + norm, zero))
        mean = _sum(u) / n_hidden
        for j in range(n_hidden):
            u[j] = max(mean - u[j], zero)
        if power != 1.0:
            p = u.dtype.type(power)
            for j in range(n_hidden):
                u[j] = u[j] ** p
    elif code == 4:
        for j in range(n_hidden):
            u[j] -= half * bias[j]
        mean = _sum(u) / n_hidden
        for j in range(n_hidden):
            u[j] = max((u[j] - mean) * two, zero)
    elif code == 0:
        for j in range(n_hidden):
            u[j] = max(u[j] + bias[j], zero)
    elif code == 1:
        for j in range(n_hidden):
            u[j] = half * (one + np.tanh(half * (u[j] + bias[j])))
    else:
        g = u.dtype.type(0.5 * gain)
        for j in range(n_hidden):
            u[j] = max(np.tanh(g * (u[j] + bias[j])), zero)


@njit(cache=True, nogil=True, fastmath=FLAGS)
def forward_single(X, X_norms, in_indptr, in_units, in_weights, h_bias, code, power, gain,
                   fan_indptr, fan_outputs, fan_weights, o_bias):
    """Output potentials one image at a time, driven by the events that occur: the latency path for a few images.

    The synapses are walked from their presynaptic side. Each non-zero input
    adds into the hidden units it reaches, each active hidden unit adds into
    the output units it reaches, and zero inputs and silent hidden units cost
    nothing. An MNIST digit has about a fifth of its pixels non-zero, and a
    triangle layer about half of its units silent, so a one-image pass does a
    fraction of the work of a unit-by-unit walk, and no block set-up.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_inputs)
    X_norms : numpy.ndarray, shape (n,)
        ``||x||^2`` of every input (read by the triangle activations only).
    in_indptr, in_units, in_weights : numpy.ndarray
        Input->hidden synapses per input (CSC: ``in_indptr`` has ``n_inputs + 1`` entries).
    h_bias : numpy.ndarray, shape (n_hidden,)
    code : int
        :data:`ACTIVATION_CODES` of the activation.
    power, gain : float
        Exponent of the triangle activations and gain of the paper's sigmoid.
    fan_indptr, fan_outputs, fan_weights : numpy.ndarray
        Hidden->output synapses per hidden unit (``fan_indptr`` has ``n_hidden + 1`` entries), each
        unit's outputs in increasing order.
    o_bias : numpy.ndarray, shape (n_outputs,)

    Returns
    -------
    numpy.ndarray, shape (n, n_outputs), dtype of ``in_weights``
    """
    dtype = in_weights.dtype
    zero = dtype.type(0.0)
    n_inputs = in_indptr.shape[0] - 1
    n_hidden = h_bias.shape[0]
    n_outputs = o_bias.shape[0]
    out = np.empty((X.shape[0], n_outputs), dtype=dtype)
    u = np.empty(n_hidden, dtype=dtype)
    potentials = np.empty(n_outputs, dtype=dtype)
    for n in range(X.shape[0]):
        u[:] = zero
        for i in range(n_inputs):
            x_i = X[n, i]
            if x_i != zero:
                for p in range(in_indptr[i], in_indptr[i + 1]):
                    u[in_units[p]] += in_weights[p] * x_i
        _activate(u, X_norms[n], h_bias, code, power, gain)
        potentials[:] = zero
        for j in range(n_hidden):
            h_j = u[j]
            if h_j != zero:
                start, stop = fan_indptr[j], fan_indptr[j + 1]
                if stop - start == n_outputs:  # reaches every output, in order: one vectorised update
                    for c in range(n_outputs):
                        potentials[c] += fan_weights[start + c] * h_j
                else:
                    for p in range(start, stop):
                        potentials[fan_outputs[p]] += fan_weights[p] * h_j
        for c in range(n_outputs):
            out[n, c] = potentials[c] + o_bias[c]
    return out
