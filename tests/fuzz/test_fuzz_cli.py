"""Every command, driven through the real CLI with generated arguments and files, keeps the contract.

Exit 0 or 1 with output a program can read, or exit 2 with one ``hacalc: error:`` line and empty stdout;
never a traceback, never a hang (see fuzz_harness). The CI run is derandomized and small; a longer run:

    HACALC_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import pytest
from fuzz_harness import argv_safe, assert_contract, fuzz_settings, invoke, run_process, warm_up
from fuzz_inputs import (
    COMMANDS,
    Invocation,
    availability_invocations,
    batch_invocations,
    budget_invocations,
    cluster_invocations,
    compare_invocations,
    compose_invocations,
    headroom_invocations,
    incidents_invocations,
    maintenance_plan_invocations,
    protect_invocations,
    risk_invocations,
    nines_invocations,
    platform_export_invocations,
    spares_invocations,
)
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(scope="module", autouse=True)
def _imports_done_once() -> None:
    warm_up()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("fuzz")


def run_in_process(invocation: Invocation, workdir) -> None:
    invocation.write_files(workdir)
    outcome = invoke(invocation.argv(workdir), stdin=invocation.stdin, env=invocation.env)
    assert_contract(outcome, invocation.output)


@fuzz_settings(40)
@given(invocation=nines_invocations())
def test_nines(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=budget_invocations())
def test_budget(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=compose_invocations())
def test_compose(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=availability_invocations())
def test_availability(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(60)
@given(invocation=batch_invocations())
def test_availability_batch(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(60)
@given(invocation=cluster_invocations())
def test_cluster_check(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=spares_invocations())
def test_spares(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(60)
@given(invocation=incidents_invocations())
def test_incidents(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=risk_invocations())
def test_risk(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=protect_invocations())
def test_protect(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(30)
@given(invocation=headroom_invocations())
def test_cluster_headroom(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(30)
@given(invocation=maintenance_plan_invocations())
def test_cluster_maintenance_plan(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=platform_export_invocations())
def test_other_platforms_exports(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(40)
@given(invocation=compare_invocations())
def test_cluster_compare(invocation: Invocation, workdir) -> None:
    run_in_process(invocation, workdir)


@fuzz_settings(8, long_run_share=0.05)
@given(invocation=st.one_of(*(strategy() for strategy in COMMANDS.values())))
def test_real_processes(invocation: Invocation, workdir) -> None:
    """The same generators through ``python -m hacalc``: real streams, real exit, real interpreter start."""
    invocation.write_files(workdir)
    args = [argv_safe(arg) for arg in invocation.argv(workdir)]
    outcome = run_process(args, stdin=invocation.stdin, env=invocation.env, timeout=30)
    assert_contract(outcome, invocation.output)
