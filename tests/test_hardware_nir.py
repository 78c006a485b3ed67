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
    assert {"Input", "Affine", "I", "Threshold", "Delay", "Scale", "Output"} <= kinds
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
    leaky = nir.NIRGraph(nodes={"input": nir.Input(np.array([1])), "s": nir.LI(tau=np.ones(1), r=np.ones(1),
                                                                              v_leak=np.zeros(1)),
                                "output": nir.Output(np.array([1]))},
                         edges=[("input", "s"), ("s", "output")])
    with pytest.raises(HardwareError, match="LI is not supported"):
        run_nir(leaky, [np.ones((1, 1))], 1)


def test_export_of_a_run_folder_calibrates_on_the_images_energy_uses(tmp_path):
    """The run's own training part (its validation images held out), as ``neuroplastic energy`` does: the
    exported graph is the network energy counts."""
    from neuroplastic.hardware.evaluate import load_for_evaluation, plan_for
    from neuroplastic.hardware.nir_export import export_nir
    from neuroplastic.hardware.profiles import load_profile
    from neuroplastic.runs import RunFolder

    run = RunFolder(tmp_path / "run")
    run.write_text(RunFolder.MODEL, '[model]\nname = "tiny"\n\n[network]\nn_hidden = 20\n\n[data]\n'
                                    'dataset = "mnist-sample"\nvalidation_fraction = 0.5\n')
    prototype_network(activation="triangle").save(run.file(RunFolder.NETWORK))
    _, graph = export_nir(run.path, steps=16, hidden_rate=0.5, inhibition_rate=0.5)
    network, _, _, X_train = load_for_evaluation(run.path)
    plan = plan_for(network, X_train[:2000], load_profile("loihi2"), steps=16, hidden_rate=0.5, inhibition_rate=0.5)
    np.testing.assert_array_equal(graph.nodes["hidden_spikes"].threshold, plan.hidden_vth * 64 - plan.hidden_vth * 64 // 2)
    np.testing.assert_array_equal(graph.nodes["output_spikes"].threshold, plan.output_vth * 64 - plan.output_vth * 64 // 2)
