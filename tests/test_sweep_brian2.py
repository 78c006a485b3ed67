"""Sweeps on the Brian2 engine: the spiking form's biophysics varied from the command line."""

import json

import pytest

pytest.importorskip("brian2", reason="needs brian2: pip install 'neuroplastic[brian2]'")
pytest.importorskip("distributed", reason="needs distributed: pip install 'neuroplastic[sweep]'")

from neuroplastic.cli.main import main
from neuroplastic.errors import NeuroplasticError
from neuroplastic.experiments import sweep
from neuroplastic.network import TrainedNetwork

from test_brian2_train_cli import TINY


def test_a_sweep_varies_the_membrane_time_constant_of_spiking_training(tmp_path, capsys):
    model = tmp_path / "tiny.toml"
    model.write_text(TINY, encoding="utf-8")
    out = tmp_path / "sweep"
    code = main(["sweep", str(model), "--engine", "brian2", "--mode", "spiking", "--target", "numpy",
                 "--param", "spiking.membrane_time_constant=5 ms,40 ms", "--jobs", "1", "--quiet", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "engine: brian2 (spiking form, target numpy)" in printed and "2 ran" in printed
    cells = sorted((out / "cells").iterdir())
    assert len(cells) == 2
    metrics = [json.loads((cell / "metrics.json").read_text()) for cell in cells]
    assert [m["engine"] for m in metrics] == ["brian2-spiking"] * 2
    definitions = [(cell / sweep.DEFINITION).read_text() for cell in cells]
    assert any('membrane_time_constant = "5 ms"' in d for d in definitions)
    assert any('membrane_time_constant = "40 ms"' in d for d in definitions)
    networks = [TrainedNetwork.load(cell / "network.npz") for cell in cells]
    assert networks[0].hidden_weights.nnz and networks[1].hidden_weights.nnz
    assert (networks[0].hidden_weights != networks[1].hidden_weights).nnz > 0  # the constant reached the simulation
    assert json.loads((out / sweep.ENGINE_FILE).read_text())["mode"] == "spiking"
    with pytest.raises(NeuroplasticError, match="ran on brian2 .spiking form.*not the vectorized engine"):
        sweep.run_sweep([model], out=out, params={"spiking.membrane_time_constant": ["5 ms", "40 ms"]})
