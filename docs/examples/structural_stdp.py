"""A plain Brian2 STDP network, with structural plasticity added by the lines marked ``# SP``.

The network is shaped like Diehl & Cook (2015, Front. Comput. Neurosci. 9:99):
Poisson inputs drive conductance-based excitatory LIF neurons with an adaptive
threshold; each excitatory neuron excites one inhibitory neuron, which inhibits
all the other excitatory neurons; the input synapses learn by trace STDP. The
inputs are synthetic 8x8 bar patterns (no data set). The lines marked ``# SP``
(9 of them) turn the all-to-all input connections into a pool of potential
synapses in which at most ``BUDGET`` synapses per excitatory neuron exist,
grow at co-active pairs and are eliminated when STDP has made them weak.

Run ``python docs/examples/structural_stdp.py --help`` for the flags, e.g.
``--target cpp_standalone`` to compile the whole network into one program.
"""

import argparse
import tempfile

import numpy as np
from brian2 import (Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, TimedArray, defaultclock, ms, mV, prefs, run, seed,
                    set_device)

from neuroplastic.brian2 import StructuralPlasticity as SP  # SP

SIDE = 8  # the input image is SIDE x SIDE pixels
BUDGET = 12  # SP: most input synapses per excitatory neuron

EXCITATORY = """
dv/dt = ((v_rest - v) + ge * (e_exc - v) + gi * (e_inh - v)) / tau_m : volt (unless refractory)
dge/dt = -ge / tau_ge : 1
dgi/dt = -gi / tau_gi : 1
dtheta/dt = -theta / tau_theta : volt
"""
INHIBITORY = """
dv/dt = ((v_rest - v) + ge * (e_exc - v)) / tau_m : volt (unless refractory)
dge/dt = -ge / tau_ge : 1
"""
STDP = """
w : 1
dtrace_in/dt = -trace_in / tau_trace : 1 (event-driven)
dtrace_out/dt = -trace_out / tau_trace : 1 (event-driven)
"""
STDP_PRE = """
ge_post += w * nonsilent  # SP: "* nonsilent", a silent synapse transmits nothing
trace_in = 1
w = clip(w - nu_pre * trace_out, 0, w_max)
"""
STDP_POST = """
trace_out = 1
w = clip(w + nu_post * (trace_in - x_target), 0, w_max)
"""
PARAMETERS = dict(v_rest=-65 * mV, v_reset=-65 * mV, v_threshold=-52 * mV, e_exc=0 * mV, e_inh=-100 * mV,
                  tau_m=20 * ms, tau_ge=5 * ms, tau_gi=2 * ms, tau_theta=1000 * ms, theta_plus=0.5 * mV,
                  tau_trace=20 * ms, nu_pre=0.002, nu_post=0.08, x_target=0.3, w_max=1.0)


def bar_patterns(n_patterns):
    """``n_patterns`` images of two-pixel-wide bars, alternately horizontal and vertical, as 0/1 vectors."""
    images = np.zeros((n_patterns, SIDE, SIDE))
    for k in range(n_patterns):
        start = (3 * (k // 2)) % (SIDE - 1)
        if k % 2:
            images[k, :, start:start + 2] = 1
        else:
            images[k, start:start + 2, :] = 1
    return images.reshape(n_patterns, SIDE * SIDE)


def stimulus(n_patterns, duration_s, rng):
    """Input rates: a random pattern for 150 ms, then 50 ms of rest, over ``duration_s`` seconds."""
    patterns = bar_patterns(n_patterns)
    rows = []
    for _ in range(int(np.ceil(duration_s / 0.2))):
        shown = 1.0 + 59.0 * patterns[rng.integers(n_patterns)]  # 60 Hz on the bar, 1 Hz elsewhere
        rows += [shown, shown, shown, np.zeros(SIDE * SIDE)]
    return TimedArray(np.array(rows) * Hz, dt=50 * ms)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["numpy", "cython", "cpp_standalone"], default="numpy")
    parser.add_argument("--neurons", type=int, default=16, help="excitatory neurons (default 16)")
    parser.add_argument("--patterns", type=int, default=4, help="bar patterns (default 4)")
    parser.add_argument("--duration", type=float, default=4.0, help="simulated seconds (default 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-dir", help="standalone build folder (default: a temporary folder)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="structural-stdp-") as scratch:
        if args.target == "cpp_standalone":
            prefs.devices.cpp_standalone.openmp_threads = 0
            set_device("cpp_standalone", directory=args.build_dir or scratch)
        else:
            prefs.codegen.target = args.target
        seed(args.seed)
        defaultclock.dt = 0.5 * ms
        namespace = dict(PARAMETERS, stimulus=stimulus(args.patterns, args.duration, np.random.default_rng(args.seed)))
        n = args.neurons

        inputs = PoissonGroup(SIDE * SIDE, rates="stimulus(t, i)", namespace=namespace)
        excitatory = NeuronGroup(n, EXCITATORY + SP.POST_EQUATIONS, threshold="v > v_threshold + theta",  # SP
                                 reset="v = v_reset; theta += theta_plus", refractory=5 * ms, method="euler",
                                 namespace=namespace)
        inhibitory = NeuronGroup(n, INHIBITORY, threshold="v > v_threshold", reset="v = v_reset", refractory=2 * ms,
                                 method="euler", namespace=namespace)
        excitatory.v = inhibitory.v = PARAMETERS["v_rest"]

        learning = Synapses(inputs, excitatory, STDP + SP.EQUATIONS, on_pre=STDP_PRE + SP.ON_PRE,  # SP
                            on_post=STDP_POST + SP.ON_POST, namespace=namespace)  # SP
        learning.connect()  # every input to every neuron (with structural plasticity: the pool)
        learning.w = "0.2 + 0.3 * rand()"
        learning.nonsilent = f"(7 * i + 13 * j) % {SIDE * SIDE} < {BUDGET}"  # SP: start with BUDGET synapses each
        plasticity = SP(learning, budget=BUDGET, threshold=0.05, period=25 * ms, initial_weight=0.3)  # SP
        to_inhibitory = Synapses(excitatory, inhibitory, on_pre="ge_post += 2", namespace=namespace)
        to_inhibitory.connect(j="i")
        lateral = Synapses(inhibitory, excitatory, on_pre="gi_post += 3", namespace=namespace)
        lateral.connect(condition="i != j")

        spikes, inhibitory_spikes = SpikeMonitor(excitatory), SpikeMonitor(inhibitory)
        run(args.duration * 1000 * ms)

        print("census:", {key: round(value, 3) for key, value in plasticity.summary().items()})  # SP
        print(f"excitatory spikes {spikes.num_spikes}, inhibitory spikes {inhibitory_spikes.num_spikes}")

if __name__ == "__main__":
    main()
