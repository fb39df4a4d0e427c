"""vcsim, govmomi's vCenter simulator (tools/vcsim), started on a free port for each test that asks for it.

Under CI=true a missing simulator binary fails the tests that need it; elsewhere they are skipped.
"""

from __future__ import annotations

import os
import selectors
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VCSIM = Path(os.environ.get("HACALC_VCSIM", ROOT / "build" / "vcsim" / "vcsim"))
USER = "hacalc@vsphere.local"
PASSWORD = "vcsim-Pa55word!"
START_SECONDS = 30


@pytest.fixture(scope="session")
def vcsim_binary() -> Path:
    if VCSIM.is_file() and os.access(VCSIM, os.X_OK):
        return VCSIM
    reason = f"vcsim is not built at {VCSIM}: run tools/vcsim/build.sh (needs golang-go and golang-github-vmware-govmomi-dev)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


class Simulator:
    """One running vcsim: its URL, login, certificate file, and a pyvmomi session to configure it with."""

    def __init__(self, binary: Path, arguments: list[str], cert_file: Path) -> None:
        self.cert_file = cert_file
        self.process = subprocess.Popen(
            [str(binary), "-user", USER, "-password", PASSWORD, "-cert-file", str(cert_file), *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.url = self._first_line()
        self._instance: Any = None

    def _first_line(self) -> str:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=START_SECONDS):
                self.stop()
                pytest.fail(f"vcsim printed no URL within {START_SECONDS} s")
        line = self.process.stdout.readline().strip()
        if not line.startswith("http"):
            self.stop()
            pytest.fail(f"vcsim did not start: {self.process.stderr.read()}")
        return line

    @property
    def address(self) -> str:
        """host:port, as --server takes it."""
        return self.url.split("//", 1)[1].split("/", 1)[0]

    @property
    def content(self) -> Any:
        if self._instance is None:
            from pyVim.connect import SmartConnect

            host, port = self.address.rsplit(":", 1)
            self._instance = SmartConnect(host=host, port=int(port), user=USER, pwd=PASSWORD, disableSslCertValidation=True)
        return self._instance.RetrieveContent()

    def find(self, kind: str, name: str) -> Any:
        from pyVmomi import vim

        content = self.content
        view = content.viewManager.CreateContainerView(content.rootFolder, [getattr(vim, kind)], True)
        try:
            for item in view.view:
                if item.name == name:
                    return item
        finally:
            view.Destroy()
        raise LookupError(f"no {kind} {name} in vcsim")

    def run(self, task: Any) -> None:
        from pyVim.task import WaitForTask

        WaitForTask(task)

    # The configuration the tests put on the simulated vCenter, through the same API a real one takes. ----------

    def reserve(self, vm: str, cpu_mhz: int, memory_mb: int) -> None:
        from pyVmomi import vim

        spec = vim.vm.ConfigSpec(
            cpuAllocation=vim.ResourceAllocationInfo(reservation=cpu_mhz), memoryAllocation=vim.ResourceAllocationInfo(reservation=memory_mb)
        )
        self.run(self.find("VirtualMachine", vm).ReconfigVM_Task(spec))

    def configure_memory(self, vm: str, memory_mb: int, *, locked_to_max: bool = False) -> None:
        from pyVmomi import vim

        spec = vim.vm.ConfigSpec(memoryMB=memory_mb, memoryReservationLockedToMax=locked_to_max or None)
        self.run(self.find("VirtualMachine", vm).ReconfigVM_Task(spec))

    def place(self, vm: str, host: str) -> None:
        from pyVmomi import vim

        self.run(self.find("VirtualMachine", vm).RelocateVM_Task(vim.vm.RelocateSpec(host=self.find("HostSystem", host))))

    def maintenance(self, host: str) -> None:
        self.run(self.find("HostSystem", host).EnterMaintenanceMode_Task(timeout=0))

    def power_off(self, vm: str) -> None:
        self.run(self.find("VirtualMachine", vm).PowerOffVM_Task())

    def make_template(self, vm: str) -> None:
        self.power_off(vm)
        self.find("VirtualMachine", vm).MarkAsTemplate()

    def restart_priority(self, cluster: str, vm: str, priority: str) -> None:
        from pyVmomi import vim

        info = vim.cluster.DasVmConfigInfo(key=self.find("VirtualMachine", vm), dasSettings=vim.cluster.DasVmSettings(restartPriority=priority))
        spec = vim.cluster.ConfigSpecEx(dasVmConfigSpec=[vim.cluster.DasVmConfigSpec(operation="add", info=info)])
        self.run(self.find("ClusterComputeResource", cluster).ReconfigureComputeResource_Task(spec, modify=True))

    def stop(self) -> None:
        if self._instance is not None:
            from pyVim.connect import Disconnect

            try:
                Disconnect(self._instance)
            except Exception:
                pass
            self._instance = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def start_vcsim(vcsim_binary: Path, tmp_path: Path) -> Iterator[Any]:
    """``start_vcsim(*flags)`` -> a running Simulator (flags as tools/vcsim/main.go takes them); stopped after the test."""
    running: list[Simulator] = []

    def start(*arguments: str) -> Simulator:
        simulator = Simulator(vcsim_binary, list(arguments), tmp_path / f"vcsim-{len(running)}.pem")
        running.append(simulator)
        return simulator

    yield start
    for simulator in running:
        simulator.stop()
