"""Concurrent writers lose nothing: metrics updates and run logs are locked read-modify-writes, and two
sweeps started together into one folder cannot both run."""

import subprocess
import sys
import textwrap

from neuroplastic.runs import RunFolder

WRITER = textwrap.dedent("""
    import sys
    from neuroplastic.runs import RunFolder

    run, name, count = RunFolder(sys.argv[1], create=False), sys.argv[2], int(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(count):
        run.update_metrics(**{f"{name}_{i}": i})
        run.log(f"{name} {i}")
""")

SWEEP = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from neuroplastic.errors import NeuroplasticError
    from neuroplastic.experiments import sweep

    print("ready", flush=True)
    sys.stdin.readline()
    try:
        with sweep._sweep_lock(Path(sys.argv[1])):
            time.sleep(2)
            print("ran")
    except NeuroplasticError:
        print("refused")
""")


def start_together(script, *argvs):
    """Start one process per argv, wait until all are ready, then release them at once."""
    processes = [subprocess.Popen([sys.executable, "-c", script, *argv], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True) for argv in argvs]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    return outputs


def test_two_processes_updating_metrics_at_once_lose_nothing(tmp_path):
    run = RunFolder(tmp_path / "run")
    run.update_metrics(model="m")
    count = 60
    start_together(WRITER, (str(run.path), "a", str(count)), (str(run.path), "b", str(count)))
    metrics = run.read_json(RunFolder.METRICS)
    expected = {"model": "m"} | {f"{w}_{i}": i for w in "ab" for i in range(count)}
    assert metrics == expected
    lines = run.file(RunFolder.LOG).read_text(encoding="utf-8").splitlines()
    assert sorted(line.split(" ", 1)[1] for line in lines) == sorted(f"{w} {i}" for w in "ab" for i in range(count))


def test_two_sweeps_started_together_into_one_folder_one_runs(tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    outputs = start_together(SWEEP, (str(out),), (str(out),), (str(out),))
    results = sorted(o.split()[-1] for o in outputs)
    assert results == ["ran", "refused", "refused"]
    assert not (out / ".sweep.lock").exists()
