"""An interrupted Brian2 training run resumes from its checkpoint to the result of an uninterrupted one.

Checkpoints are written at the end of every pass (the spiking form runs a
whole pass as one Brian2 run; the rate form draws its Brian2 seed once per
pass), so the interruption here falls at the end of the hidden pass.
"""

import numpy as np
import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")

from engines import TINY, tiny_images
from neuroplastic.engines.brian2 import Brian2Classifier


@pytest.mark.parametrize("mode, stop", [("spiking", 40), ("rate", 40)])
def test_a_resumed_run_ends_as_the_uninterrupted_one(mode, stop):
    X, y = tiny_images()
    whole = Brian2Classifier(mode=mode, **TINY).fit(X, y)
    saved = []
    first = Brian2Classifier(mode=mode, **TINY).fit(X, y, max_presentations=stop, checkpoint=saved.append,
                                                    checkpoint_every=1)
    state = first.get_state()
    assert state["values"]["progress"]["session_done"] == stop
    resumed = Brian2Classifier(mode=mode, **TINY).fit(X, y, resume_state=state)
    assert np.array_equal(resumed.hidden_weights_.toarray(), whole.hidden_weights_.toarray())
    assert np.array_equal(resumed.output_weights_, whole.output_weights_)
    assert resumed.history_ == whole.history_
    assert saved  # a checkpoint was written at the end of the hidden pass
    if mode == "spiking":  # with its spiking run
        assert saved[-1]["spiking_runs"] == first.get_state()["spiking_runs"]
        assert len(resumed.spiking_runs_) == 1
