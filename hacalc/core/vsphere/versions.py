"""Version profiles: the defaults, features and limits that change between VirtualCenter 2.5 and vSphere 8.

Sources: vsphere-ha.md §1.1 (timeline), §1.5 (maximums), §0 (minimums, KB 1010594).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hacalc.core.errors import InputError
from hacalc.core.vsphere.model import FieldError

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\s*u(\d+))?", re.IGNORECASE)


@dataclass(frozen=True)
class VersionProfile:
    name: str
    number: tuple[int, int, int]  # (major, minor, update)
    vm_cpu_min_mhz: int  # das.vmCpuMinMHz default: 256 up to 4.x, 32 from 5.0 (KB 1010594)
    vm_memory_min_mb: int  # das.vmMemoryMinMB default: 256 in VC 2.5, 0 later
    max_hosts: int | None  # per HA cluster; warnings only (several figures are unverified)
    max_vms: int | None
    min_admission_hosts: int  # 6.x: 2 HA-enabled hosts for the percentage policy; 8.0: 3 hosts

    def at_least(self, version: str) -> bool:
        return self.number >= parse_version_number(version)

    @property
    def has_percentage_policy(self) -> bool:
        return self.at_least("4.0")

    @property
    def has_fixed_slot(self) -> bool:
        return self.at_least("5.1")

    @property
    def has_auto_percent(self) -> bool:
        return self.at_least("6.5")

    @property
    def has_performance_degradation(self) -> bool:
        return self.at_least("6.5")


SUPPORTED_VERSIONS = ("2.5", "4.0", "4.1", "5.0", "5.1", "5.5", "6.0", "6.5", "6.7", "7.0", "7.0u1", "7.0u2", "7.0u3", "8.0")


def parse_version_number(text: str) -> tuple[int, int, int]:
    match = _VERSION.fullmatch(text.strip())
    if not match:
        raise InputError(f"unknown vSphere version {text!r}", fix=f"use one of {', '.join(SUPPORTED_VERSIONS)}")
    major, minor, update = match.groups()
    return int(major), int(minor), int(update or 0)


def profile(version: str) -> VersionProfile:
    """The profile for ``version`` (``"2.5"`` is VirtualCenter 2.5 / ESX 3.5; ``"7.0u1"`` raised the host limit to 96)."""
    name = version.strip().lower().replace(" ", "")
    if name not in SUPPORTED_VERSIONS:
        raise FieldError(
            f"unknown vSphere version {version!r}",
            ("cluster", "vsphere"),
            f"use one of {', '.join(SUPPORTED_VERSIONS)}",
        )
    number = parse_version_number(name)
    cpu_min = 256 if number < (5, 0, 0) else 32
    memory_min = 256 if number < (4, 0, 0) else 0
    max_hosts, max_vms = _limits(number)
    min_hosts = 3 if number >= (8, 0, 0) else 2
    return VersionProfile(name, number, cpu_min, memory_min, max_hosts, max_vms, min_hosts)


def _limits(number: tuple[int, int, int]) -> tuple[int | None, int | None]:
    """Hosts and VMs per cluster (§1.5): 32 until 5.5, 64 from 6.0, 96 from 7.0 U1."""
    if number < (4, 0, 0):
        return 32, None
    if number < (5, 1, 0):
        return 32, 3000
    if number < (6, 0, 0):
        return 32, 4000  # sources give 4,000 and 3,000 for 5.1/5.5; the higher avoids false alarms
    if number < (7, 0, 1):
        return 64, 8000
    return 96, 10000
