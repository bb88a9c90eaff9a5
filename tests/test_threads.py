"""nasedu's thread policy: usable CPUs from affinity and cgroup quotas, the user's choice first."""

from __future__ import annotations

import pytest
import torch

from nasedu import threads
from nasedu.threads import (
    LARGE_MACS,
    cgroup_cpu_limit,
    choose_threads,
    describe_policy,
    thread_policy,
    usable_cpus,
    user_threads,
)


@pytest.fixture
def no_user_choice(monkeypatch):
    """No variable set, and torch's current count taken as its default."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("NASEDU_THREADS", raising=False)
    monkeypatch.setattr(threads, "_torch_default", torch.get_num_threads())
    monkeypatch.setattr(threads, "_last_set", None)  # no policy set a count before this test


def test_cgroup_v2_quota_is_read_in_cpus(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert cgroup_cpu_limit(tmp_path) == 1.5


def test_cgroup_v2_without_a_quota_is_unlimited(tmp_path):
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cgroup_cpu_limit(tmp_path) is None
    assert cgroup_cpu_limit(tmp_path / "missing") is None


def test_cgroup_v1_quota_is_read_in_cpus(tmp_path):
    folder = tmp_path / "cpu,cpuacct"
    folder.mkdir()
    (folder / "cpu.cfs_quota_us").write_text("200000\n")
    (folder / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_limit(tmp_path) == 2.0
    (folder / "cpu.cfs_quota_us").write_text("-1\n")  # v1's "no limit"
    assert cgroup_cpu_limit(tmp_path) is None


def test_usable_cpus_is_cut_to_the_quota_rounded_down(tmp_path, monkeypatch):
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    (tmp_path / "cpu.max").write_text("250000 100000\n")
    assert usable_cpus(tmp_path) == 2  # 64 cores visible, 2.5 CPUs allowed
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert usable_cpus(tmp_path) == 1  # half a CPU: still one thread
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert usable_cpus(tmp_path) == 64


def test_usable_cpus_follows_the_affinity(tmp_path, monkeypatch):
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {3, 5, 7}, raising=False)
    assert usable_cpus(tmp_path / "no-cgroup") == 3


def test_small_networks_get_one_thread_large_ones_every_usable_cpu():
    assert choose_threads(None, cpus=8) == 1
    assert choose_threads(LARGE_MACS - 1, cpus=8) == 1
    assert choose_threads(LARGE_MACS, cpus=8) == 8
    assert choose_threads(LARGE_MACS, cpus=1) == 1


def test_the_users_setting_comes_first(monkeypatch, no_user_choice):
    assert user_threads() is None
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert user_threads() == 3
    assert "3 threads (your setting)" in describe_policy()
    monkeypatch.setenv("NASEDU_THREADS", "5")
    assert user_threads() == 5
    monkeypatch.setenv("NASEDU_THREADS", "many")
    with pytest.raises(ValueError, match="NASEDU_THREADS must be a whole number"):
        user_threads()


def test_a_set_num_threads_call_is_the_users_choice(monkeypatch, no_user_choice):
    monkeypatch.setattr(threads, "_torch_default", torch.get_num_threads() + 1)
    assert user_threads() == torch.get_num_threads()
    with thread_policy(LARGE_MACS * 10) as used:
        assert used == torch.get_num_threads()


def test_thread_policy_sets_and_restores(monkeypatch, no_user_choice):
    before = torch.get_num_threads()
    monkeypatch.setattr(threads, "usable_cpus", lambda root=None: 2)
    with thread_policy(10) as used:
        assert used == torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with thread_policy(LARGE_MACS) as used:
        assert used == torch.get_num_threads() == 2
    assert torch.get_num_threads() == before


def test_describe_policy_names_the_count_and_the_cpus(monkeypatch, no_user_choice):
    monkeypatch.setattr(threads, "usable_cpus", lambda root=None: 4)
    monkeypatch.setattr(threads, "cgroup_cpu_limit", lambda root=None: 4.0)
    assert describe_policy() == "1 thread, 4 for large networks; 4 usable CPUs (cgroup quota 4)"
    monkeypatch.setattr(threads, "usable_cpus", lambda root=None: 1)
    monkeypatch.setattr(threads, "cgroup_cpu_limit", lambda root=None: None)
    assert describe_policy() == "1 thread; 1 usable CPU"


def _wait_policy_after_import(env_policy: str | None, torch_first: bool = False) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if env_policy is not None:
        env["OMP_WAIT_POLICY"] = env_policy
    imports = "import torch, nasedu" if torch_first else "import nasedu"
    code = f"{imports}, os\nprint(os.environ.get('OMP_WAIT_POLICY'), nasedu.OMP_WAIT_POLICY_SET)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout.strip()


def test_nasedu_makes_idle_openmp_threads_sleep_unless_told_otherwise():
    assert _wait_policy_after_import(None) == "PASSIVE True"
    assert _wait_policy_after_import("ACTIVE") == "ACTIVE False"  # the user's setting stays
    # too late once torch is loaded: nasedu leaves it and `nasedu doctor` says so
    assert _wait_policy_after_import(None, torch_first=True) == "None False"
