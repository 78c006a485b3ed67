"""Arrays that every batch of one training run reuses.

A batch makes several batch x units arrays: the dendritic sums, the
winners' scores, the deviations of the activity from its mean. Past a few
megabytes, the C allocator hands such an array back to the operating system
when it is freed, so the next batch's copy is mapped afresh and faulted in
page by page. On the 2-core test machine, at 15,000 hidden units and 100
images per batch, one hidden and one readout pass over 10,000 images took
880,000 page faults and 7.8 s, against 3,800 faults and 3.1 s at 12,000
units. Held for the whole run, each array is mapped once.
"""

import numpy as np

__all__ = ["Workspace"]


class Workspace:
    """Named arrays, kept from one batch to the next; owned by one training run, never shared.

    Examples
    --------
    >>> ws = Workspace()
    >>> a = ws.array("sums", (3, 2), np.float32)
    >>> ws.array("sums", (3, 2), np.float32) is a
    True
    """

    def __init__(self):
        self._arrays = {}

    def array(self, name, shape, dtype, order="C"):
        """The array ``name``, uninitialised; made anew only when its shape, type or memory order changes.

        Parameters
        ----------
        name : str
        shape : tuple of int
        dtype : numpy dtype
        order : {"C", "F"}

        Returns
        -------
        numpy.ndarray
        """
        held = self._arrays.get(name)
        dtype = np.dtype(dtype)
        fits = (held is not None and held.shape == tuple(shape) and held.dtype == dtype
                and (held.flags.f_contiguous if order == "F" else held.flags.c_contiguous))
        if not fits:
            held = self._arrays[name] = np.empty(shape, dtype=dtype, order=order)
        return held

    def like(self, name, array, dtype):
        """:meth:`array` of ``array``'s shape and memory order (Fortran when ``array`` is, else C)."""
        order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
        return self.array(name, array.shape, dtype, order)
