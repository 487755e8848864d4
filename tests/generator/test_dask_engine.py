"""``--engine dask``: the same tasks on a dask.distributed cluster give the local engine's bytes,
file for file; without Dask installed, the command says how to install it."""

from __future__ import annotations

import sys

import pytest

from brushbench.cli import main
from brushbench.generator import parts
from brushbench.generator.engines import EngineError, check_engine
from brushbench.generator.run import generate_to
from brushbench.scenario.model import Traffic

from builders import manifest_files, small_scenario

SCENARIO = small_scenario(traffic=Traffic(orders=6000))



@pytest.fixture(scope="module")
def cluster():
    """A two-worker LocalCluster for the module: started once, its address given as
    ``scheduler`` (as to a real cluster)."""
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.mark.parametrize("partition", [True, False])
def test_a_two_worker_cluster_gives_the_local_engine_bytes(tmp_path, cluster, monkeypatch,
                                                           partition):
    monkeypatch.setattr(parts, "PART_ORDERS", 1500)  # four parts, spread over both workers
    local = generate_to(tmp_path / "local", SCENARIO, seed=8, partition=partition)
    dask = generate_to(tmp_path / "dask", SCENARIO, seed=8, partition=partition, engine="dask",
                       scheduler=cluster)
    assert manifest_files(dask.out) == manifest_files(local.out)
    assert len(manifest_files(dask.out)) > 10 if partition else len(manifest_files(dask.out)) == 10
    assert (dask.out / "manifest.json").read_bytes() == (local.out / "manifest.json").read_bytes()


def test_the_command_runs_on_a_local_cluster_of_its_own(tmp_path, capsys):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    code = main(["generate", "flash_sale", "--scale", "0.01", "--seed", "2", "--out",
                 str(tmp_path / "dask"), "--engine", "dask", "--workers", "2",
                 "--partition", "yes"])
    assert code == 0, capsys.readouterr().err
    assert main(["generate", "flash_sale", "--scale", "0.01", "--seed", "2", "--out",
                 str(tmp_path / "local"), "--partition", "yes"]) == 0
    assert manifest_files(tmp_path / "dask") == manifest_files(tmp_path / "local")


def test_without_dask_the_engine_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(EngineError, match=r"pip install 'brushbench\[dask\]'"):
        check_engine("dask")
    code = main(["generate", "flash_sale", "--scale", "0.01", "--out", str(tmp_path / "d"),
                 "--engine", "dask"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "brushbench[dask]" in err
    assert "Traceback" not in err and not (tmp_path / "d").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    (["--workers", "-1"], "--workers must be >= 0"),
    (["--withhold-labels", "KEY", "--partition", "yes"], "--withhold-labels writes one file"),
])
def test_option_mistakes_are_one_line(tmp_path, capsys, args, message):
    code = main(["generate", "flash_sale", "--scale", "0.01", "--out", str(tmp_path / "d"),
                 *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_url_gets_the_same_files_from_the_cluster(tmp_path, cluster, monkeypatch):
    pytest.importorskip("fsspec", reason="fsspec comes with the dask extra")
    monkeypatch.setattr(parts, "PART_ORDERS", 1500)
    local = generate_to(tmp_path / "local", SCENARIO, seed=8, partition=True)
    url = f"file://{tmp_path}/remote"
    done = generate_to(url, SCENARIO, seed=8, partition=True, engine="dask", scheduler=cluster)
    assert done.out == url
    assert manifest_files(tmp_path / "remote") == manifest_files(local.out)
    assert not list(tmp_path.glob("remote/**/.*"))  # no temporary file left beside the parts


def test_a_failed_run_to_a_url_leaves_no_dataset(tmp_path, monkeypatch):
    pytest.importorskip("fsspec", reason="fsspec comes with the dask extra")
    from brushbench.generator import run

    def fail(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(run, "_write_tables", fail)  # the marketplace tables
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate_to(f"file://{tmp_path}/remote", SCENARIO, seed=8, partition=True)
    assert not (tmp_path / "remote" / "manifest.json").exists()
