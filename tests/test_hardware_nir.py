"""NIR export: the file read back with `nir` and interpreted gives the package's own spiking predictions."""

import nir
import numpy as np
import pytest

from neuroplastic.cli.main import main
from neuroplastic.datasets import load_sample
from neuroplastic.errors import HardwareError
from neuroplastic.hardware.nir_export import run_nir
from neuroplastic.hardware.rate_code import build_plan, classify_counts, encoder_spikes, simulate

from small_networks import prototype_network


@pytest.mark.parametrize("activation, output_bias", [("squared_distance_triangle", 0.0), ("triangle", 0.3)])
def test_exported_graph_reproduces_the_rate_coded_simulator_on_the_sample_test_images(tmp_path, activation,
                                                                                       output_bias):
    net = prototype_network(activation=activation)
    net.output_bias = np.linspace(-output_bias, output_bias, 10)  # non-zero: the triangle needs the relay neuron
    net.save(tmp_path / "net.npz")
    steps = 24
    assert main(["export", str(tmp_path / "net.npz"), "--format", "nir", "--out", str(tmp_path / "net.nir"),
                 "--steps", str(steps), "--data", "mnist-sample"]) == 0
    graph = nir.read(tmp_path / "net.nir")
    kinds = {type(node).__name__ for node in graph.nodes.values()}
    assert {"Input", "Affine", "I", "Threshold", "Delay", "Output"} <= kinds
    weight = graph.nodes["hidden_synapses"].weight
    assert weight.shape == (20, 784) and np.array_equal(weight != 0, net.hidden_weights.toarray() != 0)

    data = load_sample()
    X = data.test.X[:1000]
    plan = build_plan(net, data.train.X[:2000], steps=steps, hidden_rate=0.25, inhibition_rate=0.25)
    assert plan.has_relay == (activation == "triangle")
    reference = simulate(plan, X)
    ran = run_nir(graph, encoder_spikes(X, graph.metadata["steps_per_image"], graph.metadata["slot_per_image"]),
                  len(X))
    np.testing.assert_array_equal(ran["counts"], reference["output"])
    np.testing.assert_array_equal(ran["last"], reference["output_last"])
    ours = classify_counts(reference["output"], reference["output_last"], plan.classes)
    theirs = classify_counts(ran["counts"], ran["last"], plan.classes)
    assert np.array_equal(ours, theirs) and np.mean(theirs == data.test.y[:1000]) > 0.3


def test_interpreter_refuses_a_loop_without_a_delay_and_unknown_nodes():
    loop = nir.NIRGraph(nodes={"input": nir.Input(np.array([1])), "a": nir.Linear(weight=np.eye(1)),
                               "b": nir.Linear(weight=np.eye(1)), "output": nir.Output(np.array([1]))},
                        edges=[("input", "a"), ("a", "b"), ("b", "a"), ("b", "output")])
    with pytest.raises(HardwareError, match="cycle without a Delay"):
        run_nir(loop, [np.ones((1, 1))], 1)
    scaled = nir.NIRGraph(nodes={"input": nir.Input(np.array([1])), "s": nir.Scale(scale=np.ones(1)),
                                 "output": nir.Output(np.array([1]))},
                          edges=[("input", "s"), ("s", "output")])
    with pytest.raises(HardwareError, match="Scale is not supported"):
        run_nir(scaled, [np.ones((1, 1))], 1)
