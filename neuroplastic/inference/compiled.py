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
def forward_single(X, X_norms, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
                   o_indptr, o_indices, o_data, o_dense, o_bias, block):
    """As :func:`forward_serial`, one image at a time with scalar loops: the latency path for batches of a few.

    A block of one image would pay the block kernel's per-unit set-up for
    every hidden unit; here each unit costs its synapses and one activation.
    ``block`` is ignored.
    """
    n_hidden = h_indptr.shape[0] - 1
    n_outputs = o_bias.shape[0]
    dtype = h_data.dtype
    zero = dtype.type(0.0)
    half = dtype.type(0.5)
    one = dtype.type(1.0)
    two = dtype.type(2.0)
    g = dtype.type(0.5 * gain)
    p_exp = dtype.type(power)
    out = np.empty((X.shape[0], n_outputs), dtype=dtype)
    x = np.empty(pixels.shape[0], dtype=dtype)
    h = np.empty(n_hidden, dtype=dtype)
    for n in range(X.shape[0]):
        for i in range(pixels.shape[0]):
            x[i] = X[n, pixels[i]]
        total = zero
        for j in range(n_hidden):
            u = zero
            for p in range(h_indptr[j], h_indptr[j + 1]):
                u += h_data[p] * x[h_indices[p]]
            b_j = h_bias[j]
            if code == 3:
                v = np.sqrt(max(u * -two + b_j + X_norms[n], zero))
                total += v
            elif code == 4:
                v = u - half * b_j
                total += v
            elif code == 0:
                v = max(u + b_j, zero)
            elif code == 1:
                v = half * (one + np.tanh(half * (u + b_j)))
            else:
                v = max(np.tanh(g * (u + b_j)), zero)
            h[j] = v
        if code >= 3:
            mean = total / n_hidden
            for j in range(n_hidden):
                if code == 3:
                    v = max(mean - h[j], zero)
                    h[j] = v if power == 1.0 else v ** p_exp
                else:
                    h[j] = max((h[j] - mean) * two, zero)
        for c in range(n_outputs):
            acc = zero
            if o_dense.shape[0] == n_outputs:
                for j in range(n_hidden):
                    acc += o_dense[c, j] * h[j]
            else:
                for p in range(o_indptr[c], o_indptr[c + 1]):
                    acc += o_data[p] * h[o_indices[p]]
            out[n, c] = acc + o_bias[c]
    return out
