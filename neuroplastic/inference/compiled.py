"""Compiled forward pass (Numba), one block of images at a time.

For each block the kernel copies the pixels that some synapse reads into a
pixels x images array, so that images are the innermost, contiguous axis.
Each non-silent synapse is then one vectorised multiply-add over the block,
and the work is proportional to the number of synapses that exist, plus one
activation per hidden unit and image.

- **One pass** for every activation but the triangle: four units at a time,
  their sums, their activity and their output synapses, so that the block's
  hidden activity never exists as a whole. The squared-distance triangle
  needs the population mean of its units, but that mean is a fixed linear
  function of the input, computed once per block before the pass.
- **Two passes** for the triangle, whose population mean is a mean of
  square roots: the first stores every unit's distance to the image and
  sums them, the second completes the activity and adds it out, output by
  output, eight synapses at a time (the activity is completed where it is
  read and never stored).
- **Readout** of the one-pass activations. A full readout adds four units
  into each output in one pass over the block, so the potentials are read
  and written once per four units. A sparse one walks each hidden unit's
  own output synapses. Neither is a BLAS product: OpenBLAS's threads inside
  Numba's threads oversubscribe the cores.
- **No views in the loops.** Arrays are indexed in two dimensions. A row
  view in Numba costs a reference count (two calls, each an atomic
  operation), which is a large part of the work of a five-synapse unit on
  one block.

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
    """Copy the used pixels of images ``start:stop`` into ``inputs`` (pixels x images), 16 images at a time.

    The copy of 16 images has a constant count, so it is unrolled (on `mnist_sparse`, 3.5 against 5.3 ms for
    the 10,000 test images with a variable count).
    """
    b0 = start
    while b0 + 16 <= stop:
        for i in range(pixels.shape[0]):
            pixel = pixels[i]
            for r in range(16):
                inputs[i, b0 - start + r] = X[b0 + r, pixel]
        b0 += 16
    for i in range(pixels.shape[0]):
        pixel = pixels[i]
        for b in range(b0, stop):
            inputs[i, b - start] = X[b, pixel]


@njit(cache=True, nogil=True, inline="always")
def _group(indices, data, p, n, scale):
    """The inputs and weights (times ``scale``) of synapses ``p:p + n`` (1 <= n <= 8), padded to eight.

    Padding repeats the first input with a zero weight, so a group of any size is one pass over a block.
    """
    zero = data.dtype.type(0.0)
    i0 = indices[p]
    return (i0,
            indices[p + 1] if n > 1 else i0, indices[p + 2] if n > 2 else i0, indices[p + 3] if n > 3 else i0,
            indices[p + 4] if n > 4 else i0, indices[p + 5] if n > 5 else i0, indices[p + 6] if n > 6 else i0,
            indices[p + 7] if n > 7 else i0,
            data[p] * scale,
            data[p + 1] * scale if n > 1 else zero, data[p + 2] * scale if n > 2 else zero,
            data[p + 3] * scale if n > 3 else zero, data[p + 4] * scale if n > 4 else zero,
            data[p + 5] * scale if n > 5 else zero, data[p + 6] * scale if n > 6 else zero,
            data[p + 7] * scale if n > 7 else zero)


@njit(cache=True, nogil=True, fastmath=FLAGS, inline="always")
def _sums(inputs, indptr, indices, data, j, out, r, m):
    """``out[r, :m]`` = the synaptic sums of unit ``j``: ``sum_p data[p] * inputs[indices[p], :m]``.

    The synapses are taken eight at a time; a last, shorter group is padded
    with zero weights on its first input, so that each group is a single pass
    over the block. Indexed in two dimensions, without row views (see the
    module's docstring).
    """
    zero = data.dtype.type(0.0)
    p = indptr[j]
    end = indptr[j + 1]
    if p == end:
        for b in range(m):
            out[r, b] = zero
        return
    first = True
    while p < end:
        n = min(8, end - p)
        i0, i1, i2, i3, i4, i5, i6, i7, w0, w1, w2, w3, w4, w5, w6, w7 = _group(indices, data, p, n,
                                                                                data.dtype.type(1.0))
        if first:  # the first group stores and the others add, so no pass is spent zeroing the row
            for b in range(m):
                out[r, b] = (((w0 * inputs[i0, b] + w1 * inputs[i1, b]) + (w2 * inputs[i2, b] + w3 * inputs[i3, b]))
                             + ((w4 * inputs[i4, b] + w5 * inputs[i5, b]) + (w6 * inputs[i6, b] + w7 * inputs[i7, b])))
            first = False
        else:
            for b in range(m):
                out[r, b] += (((w0 * inputs[i0, b] + w1 * inputs[i1, b]) + (w2 * inputs[i2, b] + w3 * inputs[i3, b]))
                              + ((w4 * inputs[i4, b] + w5 * inputs[i5, b]) + (w6 * inputs[i6, b] + w7 * inputs[i7, b])))
        p += n


@njit(cache=True, nogil=True, fastmath=FLAGS, inline="always")
def _add_into_outputs(act, k, j, o_dense, f_indptr, f_outputs, f_weights, potentials, m):
    """Add the activity ``act[:k, :m]`` of hidden units ``j:j + k`` (k <= 4) through their output synapses.

    A full readout adds the four units into each output in one pass, so the
    potentials are read and written once per four units; a sparse one walks
    each unit's own output synapses.
    """
    zero = act.dtype.type(0.0)
    if o_dense.shape[0] == potentials.shape[0]:
        a1 = 1 if k > 1 else 0
        a2 = 2 if k > 2 else 0
        a3 = 3 if k > 3 else 0
        for c in range(potentials.shape[0]):
            w0 = o_dense[c, j]
            w1 = o_dense[c, j + 1] if k > 1 else zero
            w2 = o_dense[c, j + 2] if k > 2 else zero
            w3 = o_dense[c, j + 3] if k > 3 else zero
            for b in range(m):
                potentials[c, b] += (w0 * act[0, b] + w1 * act[a1, b]) + (w2 * act[a2, b] + w3 * act[a3, b])
    else:
        for t in range(k):
            for q in range(f_indptr[j + t], f_indptr[j + t + 1]):
                c = f_outputs[q]
                w = f_weights[q]
                for b in range(m):
                    potentials[c, b] += w * act[t, b]


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _pointwise_pass(inputs, mean, indptr, indices, data, bias, code, gain, o_dense, f_indptr, f_outputs,
                    f_weights, rows, potentials, m):
    """One pass over the hidden units for activations that need nothing of the other units but ``mean``.

    These are every activation but the triangle: ReLU, the sigmoids, and the
    squared-distance triangle, whose population mean is linear in the input
    and so known before the pass (:func:`_input_mean`). Four units at a
    time: their sums, their activity, and their output synapses, with the
    activity only ever in ``rows`` (4 x images, in the cache).
    """
    zero = rows.dtype.type(0.0)
    half = rows.dtype.type(0.5)
    one = rows.dtype.type(1.0)
    two = rows.dtype.type(2.0)
    g = rows.dtype.type(0.5 * gain)
    n_hidden = bias.shape[0]
    for j in range(0, n_hidden, 4):
        k = min(4, n_hidden - j)
        for t in range(k):
            _sums(inputs, indptr, indices, data, j + t, rows, t, m)
            b_j = bias[j + t]
            if code == 4:
                hb = half * b_j
                for b in range(m):
                    rows[t, b] = max((rows[t, b] - hb - mean[b]) * two, zero)
            elif code == 0:
                for b in range(m):
                    rows[t, b] = max(rows[t, b] + b_j, zero)
            elif code == 1:
                for b in range(m):
                    rows[t, b] = half * (one + np.tanh(half * (rows[t, b] + b_j)))
            else:
                for b in range(m):
                    rows[t, b] = max(np.tanh(g * (rows[t, b] + b_j)), zero)
        _add_into_outputs(rows, k, j, o_dense, f_indptr, f_outputs, f_weights, potentials, m)


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _input_mean(inputs, weights, offset, mean, m):
    """``mean[:m]`` = ``sum_i weights[i] * inputs[i, :m] - offset``: the squared-distance triangle's population mean."""
    for b in range(m):
        mean[b] = -offset
    for i in range(weights.shape[0]):
        c_i = weights[i]
        for b in range(m):
            mean[b] += c_i * inputs[i, b]


@njit(cache=True, nogil=True, fastmath=True)
def _norm(X, b):
    """``||X[b]||^2``, for the triangle's distances.

    The only sum whose order the compiler may change (``fastmath=True``), so
    that it vectorises. It must not be inlined: inlined, it would take the
    flags of its caller, and a sum in order is a chain of dependent
    additions (inlined, `mnist_sparse`'s pass over the 10,000 test images
    took 6 ms longer).
    """
    s = X.dtype.type(0.0)
    for i in range(X.shape[1]):
        s += X[b, i] * X[b, i]
    return s


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _distances(inputs, norms, indptr, indices, data, bias, hidden, mean, m):
    """First pass of the triangle: each unit's distance to the image into ``hidden``, their mean into ``mean``.

    A unit of at most eight synapses (every unit of `mnist_sparse`) takes one loop, its sum and distance
    together; the weights are doubled beforehand, which is exact, so the result is the same.
    """
    zero = hidden.dtype.type(0.0)
    two = hidden.dtype.type(2.0)
    n_hidden = bias.shape[0]
    for b in range(m):
        mean[b] = zero
    for j in range(n_hidden):
        b_j = bias[j]
        p = indptr[j]
        n = indptr[j + 1] - p
        if 0 < n <= 8:
            i0, i1, i2, i3, i4, i5, i6, i7, w0, w1, w2, w3, w4, w5, w6, w7 = _group(indices, data, p, n, -two)
            if n <= 6:  # six terms are enough (every unit of mnist_sparse has five synapses)
                for b in range(m):
                    hidden[j, b] = np.sqrt(max(
                        (((w0 * inputs[i0, b] + w1 * inputs[i1, b]) + (w2 * inputs[i2, b] + w3 * inputs[i3, b]))
                         + (w4 * inputs[i4, b] + w5 * inputs[i5, b])) + b_j + norms[b], zero))
            else:
                for b in range(m):
                    hidden[j, b] = np.sqrt(max(
                        (((w0 * inputs[i0, b] + w1 * inputs[i1, b]) + (w2 * inputs[i2, b] + w3 * inputs[i3, b]))
                         + ((w4 * inputs[i4, b] + w5 * inputs[i5, b]) + (w6 * inputs[i6, b] + w7 * inputs[i7, b])))
                        + b_j + norms[b], zero))
        else:
            _sums(inputs, indptr, indices, data, j, hidden, j, m)
            for b in range(m):  # kept apart from the sum below: together the loop does not vectorise
                hidden[j, b] = np.sqrt(max(hidden[j, b] * -two + b_j + norms[b], zero))
        for b in range(m):
            mean[b] += hidden[j, b]
    inv = hidden.dtype.type(1.0 / n_hidden)
    for b in range(m):
        mean[b] *= inv


@njit(cache=True, nogil=True, fastmath=FLAGS, inline="always")
def _rectified_sums(hidden, mean, indptr, indices, data, c, out, m):
    """``out[c, :m]`` = ``sum_p data[p] * max(0, mean - hidden[indices[p], :m])``: one output of the triangle.

    The activity is completed where it is read, eight units at a time as in
    :func:`_sums`, so it is never stored.
    """
    zero = hidden.dtype.type(0.0)
    for b in range(m):
        out[c, b] = zero
    q = indptr[c]
    end = indptr[c + 1]
    while q < end:
        n = min(8, end - q)
        i0, i1, i2, i3, i4, i5, i6, i7, w0, w1, w2, w3, w4, w5, w6, w7 = _group(indices, data, q, n,
                                                                                data.dtype.type(1.0))
        for b in range(m):
            u = mean[b]
            out[c, b] += (((w0 * max(u - hidden[i0, b], zero) + w1 * max(u - hidden[i1, b], zero))
                           + (w2 * max(u - hidden[i2, b], zero) + w3 * max(u - hidden[i3, b], zero)))
                          + ((w4 * max(u - hidden[i4, b], zero) + w5 * max(u - hidden[i5, b], zero))
                             + (w6 * max(u - hidden[i6, b], zero) + w7 * max(u - hidden[i7, b], zero))))
        q += n


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _triangle_readout(hidden, mean, power, r_indptr, r_units, r_weights, potentials, m):
    """Second pass of the triangle: the activity, ``max(0, mean - d) ** power``, through the readout.

    Output by output, eight of its synapses at a time, so each output's
    potentials are written once per eight synapses. With ``power`` 1 the
    activity is completed where it is read; otherwise it is completed in
    place first.
    """
    zero = hidden.dtype.type(0.0)
    if power == 1.0:
        for c in range(potentials.shape[0]):
            _rectified_sums(hidden, mean, r_indptr, r_units, r_weights, c, potentials, m)
        return
    p = hidden.dtype.type(power)
    for t in range(hidden.shape[0]):
        for b in range(m):
            hidden[t, b] = max(mean[b] - hidden[t, b], zero) ** p
    for c in range(potentials.shape[0]):
        _sums(hidden, r_indptr, r_units, r_weights, c, potentials, c, m)


@njit(cache=True, nogil=True, fastmath=FLAGS)
def _block(X, start, stop, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
           mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
           o_bias, inputs, hidden, mean, norms, potentials, out):
    """Output potentials of images ``start:stop`` into ``out``, in buffers sized for the block.

    ``hidden`` holds every unit's distance for the triangle, and four rows
    otherwise (the other activations need no second pass).
    """
    m = stop - start
    _gather(X, start, stop, pixels, inputs)
    n_outputs = o_bias.shape[0]
    if code == 3:
        for b in range(m):
            norms[b] = _norm(X, start + b)
        _distances(inputs, norms, h_indptr, h_indices, h_data, h_bias, hidden, mean, m)
        _triangle_readout(hidden, mean, power, r_indptr, r_units, r_weights, potentials, m)  # sets every output
    else:
        for c in range(n_outputs):  # the one pass adds into the potentials
            for b in range(m):
                potentials[c, b] = 0.0
        if code == 4:
            _input_mean(inputs, mean_weights, mean_offset, mean, m)
        _pointwise_pass(inputs, mean, h_indptr, h_indices, h_data, h_bias, code, gain, o_dense, f_indptr,
                        f_outputs, f_weights, hidden, potentials, m)
    for b in range(m):
        for c in range(n_outputs):
            out[start + b, c] = potentials[c, b] + o_bias[c]


@njit(cache=True, nogil=True)
def _run(X, first, last, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
         mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
         o_bias, block, out):
    """Images ``first:last`` block by block, reusing one set of buffers (fresh large arrays cost page faults)."""
    dtype = h_data.dtype
    n_hidden = h_bias.shape[0]
    size = min(block, last - first)
    inputs = np.empty((pixels.shape[0], size), dtype=dtype)
    hidden = np.empty((n_hidden if code == 3 else 4, size), dtype=dtype)
    mean = np.empty(size, dtype=dtype)
    norms = np.empty(size, dtype=dtype)
    potentials = np.empty((o_bias.shape[0], size), dtype=dtype)
    for start in range(first, last, block):
        stop = min(last, start + block)
        _block(X, start, stop, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
               mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
               o_bias, inputs, hidden, mean, norms, potentials, out)


@njit(cache=True, parallel=True)
def forward(X, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
            mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
            o_bias, block, n_threads):
    """Output potentials of a sparse one-hidden-layer network, blocks in parallel.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, n_inputs), C-contiguous, dtype of ``h_data``
    pixels : numpy.ndarray of int32
        The inputs that at least one synapse reads.
    h_indptr, h_indices, h_data : numpy.ndarray
        Input->hidden synapses per hidden unit (CSR), indices into ``pixels``.
    h_bias : numpy.ndarray, shape (n_hidden,)
    code : int
        :data:`ACTIVATION_CODES` of the activation.
    power, gain : float
        Exponent of the triangle activations and gain of the paper's sigmoid.
    mean_weights : numpy.ndarray, shape (len(pixels),)
    mean_offset : float
        The squared-distance triangle's population mean as a linear function
        of the input (:class:`~neuroplastic.inference.plan.ForwardPlan`).
    o_dense : numpy.ndarray, shape (n_outputs, n_hidden) or (0, 0)
        The readout as a dense matrix when it is mostly non-silent, else
        empty (the kernels then walk ``f_*``).
    f_indptr, f_outputs, f_weights : numpy.ndarray
        Hidden->output synapses per hidden unit (``f_indptr`` has ``n_hidden + 1`` entries).
    r_indptr, r_units, r_weights : numpy.ndarray
        Hidden->output synapses per output unit (``r_indptr`` has ``n_outputs + 1`` entries), which the
        triangle's second pass walks.
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
        _run(X, first, last, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
             mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
             o_bias, block, out)
    return out


@njit(cache=True)
def forward_serial(X, pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
                   mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
                   o_bias, block):
    """As :func:`forward`, on the calling thread only (no parallel launch: the low-latency path for a few images)."""
    out = np.empty((X.shape[0], o_bias.shape[0]), dtype=h_data.dtype)
    _run(X, 0, X.shape[0], pixels, h_indptr, h_indices, h_data, h_bias, code, power, gain,
         mean_weights, mean_offset, o_dense, f_indptr, f_outputs, f_weights, r_indptr, r_units, r_weights,
         o_bias, block, out)
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
def forward_single(X, in_indptr, in_units, in_weights, h_bias, code, power, gain,
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
        _activate(u, _norm(X, n) if code == 3 else zero, h_bias, code, power, gain)
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
