"""Structural plasticity as a plugin for anyone's Brian2 Synapses: budget, growth, elimination, census, the example."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

brian2 = pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")
from brian2 import Network, NeuronGroup, PoissonGroup, SpikeGeneratorGroup, StateMonitor, Synapses, mV, ms

from neuroplastic.brian2 import StructuralPlasticity as SP
from neuroplastic.engines.brian2.device import brian2_target
from neuroplastic.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "structural_stdp.py"
N_PRE, N_POST, BUDGET = 12, 4, 3


def _turnover_network(budget=BUDGET, growth=1.0, elimination=1.0, duration=300 * ms):
    """Busy inputs onto neurons that fire by themselves, a full pool, and weights that decay after growth
    (grown at 1, eliminated below 0.5 about 42 ms later): growth and elimination at almost every event."""
    pre = PoissonGroup(N_PRE, rates=500 * brian2.Hz)
    post = NeuronGroup(N_POST, "dv/dt = (1.5 - v) / ms : 1" + SP.POST_EQUATIONS, threshold="v > 1",
                       reset="v = 0", method="exact")
    synapses = Synapses(pre, post, "dw/dt = -w / (60 * ms) : 1 (clock-driven)" + SP.EQUATIONS,
                        on_pre=SP.ON_PRE, on_post=SP.ON_POST, method="exact")
    synapses.connect()
    plugin = SP(synapses, budget=budget, threshold=0.5, period=2 * ms, growth=growth, elimination=elimination,
                initial_weight=1.0, cohort_at=100 * ms)
    truth = StateMonitor(synapses, "nonsilent", record=np.arange(N_PRE * N_POST), dt=2 * ms, when="end")
    Network(pre, post, synapses, truth).run(duration)
    return plugin, truth, np.asarray(synapses.j[:])


@pytest.mark.standalone_compatible
def test_budget_holds_at_every_event_and_the_census_counts_every_change(brian2_settings):
    with brian2_target(*brian2_settings):
        plugin, truth, post = _turnover_network()
        census, summary = plugin.census(), plugin.summary()
        recorded = np.asarray(truth.nonsilent)
    per_post = np.stack([np.bincount(post, weights=recorded[:, k], minlength=N_POST)
                         for k in range(recorded.shape[1])], axis=1)
    np.testing.assert_array_equal(census["per_post"], per_post)  # the summed count is the true count
    assert per_post.max() == BUDGET  # growth fills the budget ...
    assert (per_post <= BUDGET).all()  # ... and never exceeds it, at any event
    assert (np.diff(per_post, axis=1) <= 1).all()  # at most one growth per neuron and event
    assert census["grown"].sum() > 20 and census["eliminated"].sum() > 20
    np.testing.assert_array_equal(np.diff(census["nonsilent"]), census["grown"][1:] - census["eliminated"][1:])
    assert census["nonsilent"][0] == census["grown"][0] - census["eliminated"][0]  # the pool started silent
    np.testing.assert_allclose(census["time"], np.arange(150) * 0.002)
    survival = census["survival"]
    assert np.isnan(survival[:50]).all() and survival[50] == 1  # cohort: the synapses after the event at 100 ms
    assert (np.diff(survival[50:]) <= 0).all() and survival[-1] < 1  # synapses live ~42 ms: the cohort dies out
    assert summary["grown"] == census["grown"].sum() and summary["max_per_post"] == BUDGET


@pytest.mark.standalone_compatible
def test_elimination_silences_exactly_the_synapses_below_threshold_and_growth_zero_grows_none(brian2_settings):
    weights = np.array([0.01, 0.2, 0.04, 0.06, 0.3, 0.049])
    with brian2_target(*brian2_settings):
        pre = PoissonGroup(len(weights), rates=200 * brian2.Hz)
        post = NeuronGroup(1, "dv/dt = (2 - v) / (2 * ms) : 1" + SP.POST_EQUATIONS, threshold="v > 1",
                           reset="v = 0", method="exact")
        synapses = Synapses(pre, post, "w : 1" + SP.EQUATIONS, on_pre="v_post += w * nonsilent" + SP.ON_PRE,
                            on_post=SP.ON_POST)
        synapses.connect()
        synapses.w = weights
        synapses.nonsilent = 1
        plugin = SP(synapses, budget=len(weights), threshold=0.05, period=1 * ms, growth=0.0)
        Network(pre, post, synapses).run(5 * ms)
        alive = np.asarray(synapses.nonsilent[:])
        census = plugin.census()
    np.testing.assert_array_equal(alive, (weights >= 0.05).astype(int))
    assert census["eliminated"].tolist() == [3, 0, 0, 0, 0] and census["grown"].sum() == 0


@pytest.mark.standalone_compatible
def test_a_silent_synapse_transmits_nothing(brian2_settings):
    with brian2_target(*brian2_settings):
        pre = SpikeGeneratorGroup(1, [0, 0, 0], [1, 3, 5] * ms)
        post = NeuronGroup(2, "v : volt" + SP.POST_EQUATIONS)
        synapses = Synapses(pre, post, "w : volt" + SP.EQUATIONS, on_pre="v_post += w * nonsilent" + SP.ON_PRE)
        synapses.connect()
        synapses.w = 2 * mV
        synapses.nonsilent = "j"  # onto neuron 0: silent; onto neuron 1: non-silent
        SP(synapses, budget=1, threshold=0 * mV, period=20 * ms, growth=0.0, elimination=0.0, record=False)
        Network(pre, post, synapses).run(8 * ms)
        v = np.asarray(post.v[:] / mV)
        received = np.asarray(synapses.sp_npre[:])
    np.testing.assert_allclose(v, [0.0, 6.0])
    assert received.tolist() == [3, 3]  # both ran on_pre for the three spikes (no event since t = 0)


@pytest.mark.codegen_independent
def test_growth_only_at_a_co_active_pair_and_with_the_initial_weight():
    with brian2_target("numpy"):
        pre = SpikeGeneratorGroup(1, [0], [1] * ms)
        post = NeuronGroup(2, "dv/dt = (drive - v) / (2 * ms) : 1\ndrive : 1" + SP.POST_EQUATIONS,
                           threshold="v > 1", reset="v = 0", method="exact")
        post.drive = [2, 0]  # neuron 0 fires by itself, neuron 1 never
        synapses = Synapses(pre, post, "w : 1" + SP.EQUATIONS, on_pre=SP.ON_PRE, on_post=SP.ON_POST)
        synapses.connect()
        plugin = SP(synapses, budget=2, threshold=0.1, period=2 * ms, initial_weight=0.7)
        Network(pre, post, synapses).run(20 * ms)
        alive, w = np.asarray(synapses.nonsilent[:]), np.asarray(synapses.w[:])
        census = plugin.census()
    assert alive.tolist() == [1, 0] and w.tolist() == [0.7, 0.0]
    assert census["grown"].tolist() == [0, 1] + [0] * 8 and census["eliminated"].sum() == 0


def _plain_synapses(post_equations=SP.POST_EQUATIONS, equations=SP.EQUATIONS):
    pre = PoissonGroup(3, rates=10 * brian2.Hz)
    post = NeuronGroup(2, "v : 1" + post_equations, threshold="v > 1")
    return Synapses(pre, post, "w : 1" + equations, on_pre="v_post += w * nonsilent" + SP.ON_PRE,
                    on_post=SP.ON_POST)


@pytest.mark.codegen_independent
@pytest.mark.parametrize("change, field, reason", [
    (dict(budget=0), "budget", "integer >= 1"), (dict(budget=2.5), "budget", "integer >= 1"),
    (dict(growth=-0.1), "growth", r"probability in \[0, 1\]"), (dict(elimination=1.5), "elimination", "probability"),
    (dict(period=0 * ms), "period", "positive"), (dict(period=-5 * ms), "period", "positive"),
    (dict(period=5), "period", "time"), (dict(threshold=1 * mV), "threshold", "units of the weight"),
    (dict(weight="g"), "weight", "names no variable"), (dict(cohort_at=-1 * ms), "cohort_at", "negative"),
])
def test_bad_arguments_are_config_errors_naming_the_field(change, field, reason):
    arguments = dict(budget=2, threshold=0.1, period=5 * ms) | change
    with pytest.raises(ConfigError, match=reason) as caught:
        SP(_plain_synapses(), **arguments)
    assert caught.value.field == field


@pytest.mark.codegen_independent
def test_a_group_that_is_not_synapses_or_lacks_the_equations_is_refused():
    with pytest.raises(ConfigError, match="brian2 Synapses object, got NeuronGroup") as caught:
        SP(NeuronGroup(2, "v : 1"), budget=1, threshold=0.1, period=5 * ms)
    assert caught.value.field == "synapses"
    with pytest.raises(ConfigError, match="POST_EQUATIONS"):
        unsummed = "\n".join(line for line in SP.EQUATIONS.splitlines() if "(summed)" not in line)
        SP(_plain_synapses(post_equations="", equations=unsummed), budget=1, threshold=0.1, period=5 * ms)
    with pytest.raises(ConfigError, match="lacks nonsilent.*StructuralPlasticity.EQUATIONS"):
        SP(Synapses(PoissonGroup(2, 5 * brian2.Hz), NeuronGroup(1, "v : 1" + SP.POST_EQUATIONS),
                    "w : 1"),
           budget=1, threshold=0.1, period=5 * ms)


@pytest.mark.codegen_independent
def test_the_census_needs_the_recording_and_a_run():
    plugin = SP(_plain_synapses(), budget=1, threshold=0.1, period=5 * ms, record=False)
    with pytest.raises(ConfigError, match="record"):
        plugin.census()
    with pytest.raises(ConfigError, match="run the network first"):
        SP(_plain_synapses(), budget=1, threshold=0.1, period=5 * ms).census()


def _run_example(*arguments, timeout):
    result = subprocess.run([sys.executable, str(EXAMPLE), "--neurons", "8", "--duration", "1.5", *arguments],
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("census:"))
    return {key: float(value) for key, value in re.findall(r"'(\w+)': ([-\d.e]+|nan)", line)}


def _check_census(census):
    assert census["events"] == 60  # 1.5 s, one event every 25 ms
    assert census["grown"] > 0 and census["eliminated"] > 0 and census["turnover"] > 0
    assert census["max_per_post"] <= census["budget"] == 12  # at every event
    assert census["synapses_last"] == 8 * 12 + census["grown"] - census["eliminated"]  # 12 each at the start


@pytest.mark.codegen_independent
def test_the_example_adds_structural_plasticity_to_a_plain_stdp_network():
    _check_census(_run_example("--target", "numpy", timeout=120))


@pytest.mark.slow
def test_the_example_runs_in_cpp_standalone(tmp_path):
    _check_census(_run_example("--target", "cpp_standalone", "--build-dir", str(tmp_path / "build"), timeout=600))


def test_the_example_marks_at_most_ten_lines_as_structural_plasticity():
    text = EXAMPLE.read_text()
    lines = text[text.index("import argparse"):].splitlines()  # the code, after the module docstring
    marked = [line.split("#")[0] for line in lines if re.search(r"#\s*SP(:.*)?$", line)]
    assert 0 < len(marked) <= 10
    assert all(re.search(r"\bSP\b|nonsilent|BUDGET|plasticity\.", code) for code in marked)
    unmarked = [line.split("#")[0] for line in lines if not re.search(r"#\s*SP", line)]
    assert not any(re.search(r"\bSP\b|nonsilent|BUDGET|plasticity\.", code) for code in unmarked)


@pytest.mark.codegen_independent
def test_the_equations_and_the_code_quoted_in_the_docs_are_those_of_the_package():
    page = (EXAMPLE.parents[1] / "brian2.md").read_text()
    blocks = re.findall(r"```text\n(.*?)```", page, re.S)
    pre, post = PoissonGroup(64, rates=1 * brian2.Hz), NeuronGroup(2, "v : 1" + SP.POST_EQUATIONS, threshold="v > 1")
    synapses = Synapses(pre, post, "w : 1" + SP.EQUATIONS, on_pre=SP.ON_PRE, on_post=SP.ON_POST)
    plugin = SP(synapses, budget=12, threshold=0.05, period=25 * ms, initial_weight=0.3)  # the example's arguments
    for text in (SP.EQUATIONS, SP.POST_EQUATIONS, plugin.code):
        assert text.strip() + "\n" in blocks
    for text in (SP.ON_PRE, SP.ON_POST, plugin.pick_code.replace("64", "N_pre")):
        assert f"`{text.strip()}`" in page
    assert "plasticity = SP(learning, budget=BUDGET, threshold=0.05, period=25 * ms, initial_weight=0.3)" \
        in EXAMPLE.read_text() and "BUDGET = 12" in EXAMPLE.read_text()
