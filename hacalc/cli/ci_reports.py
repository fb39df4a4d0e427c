"""``cluster check`` in the formats CI systems read: JUnit XML for test dashboards, Markdown for job summaries.

Both take a sequence of checked clusters, so an inventory of many clusters is one report: one test suite,
or one summary row and one section, per cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from hacalc.core.text import visible
from hacalc.core.warnings import DataWarning
from hacalc.core.vsphere.report import UnplacedVM


class ClusterFormat(str, Enum):
    """What the cluster commands write: tables for people, JSON or CSV for scripts, JUnit or Markdown for CI."""

    table = "table"
    json = "json"
    csv = "csv"
    junit = "junit"
    markdown = "markdown"


@dataclass(frozen=True)
class Check:
    """One question asked of a cluster: passed, failed (with why) or skipped (with why)."""

    name: str
    passed: bool | None  # None: skipped
    message: str = ""
    unplaced: tuple[UnplacedVM, ...] = ()


@dataclass(frozen=True)
class CheckedCluster:
    name: str
    passed: bool
    hosts_counted: int
    powered_on_vms: int
    policy: str
    tolerate: int
    worst_failure_set: tuple[str, ...]
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]
    data_warnings: tuple[DataWarning, ...] = ()  # what the inventory's data lacked, one per class


INVENTORY_SUITE = "inventory"  # the JUnit suite for warnings about the whole inventory, not one cluster


def junit_xml(clusters: Sequence[CheckedCluster], inventory_warnings: Sequence[DataWarning] = (), *, command: str = "cluster check") -> str:
    """One testsuite per cluster, one testcase per check, each warning and each class of data warning a skipped testcase."""
    from xml.etree import ElementTree

    root = ElementTree.Element("testsuites", name=f"hacalc {command}")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for cluster in clusters:
        suite = ElementTree.SubElement(root, "testsuite", name=visible(cluster.name))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        properties = ElementTree.SubElement(suite, "properties")
        for key, value in (("policy", cluster.policy), ("tolerate", cluster.tolerate), ("hosts_counted", cluster.hosts_counted), ("powered_on_vms", cluster.powered_on_vms)):
            ElementTree.SubElement(properties, "property", name=key, value=str(value))
        warnings = (Check(f"warning: {warning}", None, warning) for warning in cluster.warnings)
        for check in (*cluster.checks, *warnings, *map(_data_check, cluster.data_warnings)):
            case = ElementTree.SubElement(suite, "testcase", classname=f"hacalc.cluster.{visible(cluster.name)}", name=visible(check.name))
            counts["tests"] += 1
            if check.passed is None:
                ElementTree.SubElement(case, "skipped", message=visible(check.message))
                counts["skipped"] += 1
            elif not check.passed:
                failure = ElementTree.SubElement(case, "failure", message=visible(check.message), type="capacity")
                failure.text = "\n".join(_vm_line(vm) for vm in check.unplaced) or None
                counts["failures"] += 1
        for key, count in counts.items():
            suite.set(key, str(count))
            totals[key] += count
    if inventory_warnings:
        suite = ElementTree.SubElement(root, "testsuite", name=INVENTORY_SUITE, tests=str(len(inventory_warnings)), failures="0", skipped=str(len(inventory_warnings)))
        for check in map(_data_check, inventory_warnings):
            case = ElementTree.SubElement(suite, "testcase", classname=f"hacalc.{INVENTORY_SUITE}", name=check.name)
            ElementTree.SubElement(case, "skipped", message=visible(check.message))
        totals["tests"] += len(inventory_warnings)
        totals["skipped"] += len(inventory_warnings)
    for key, count in totals.items():
        root.set(key, str(count))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def markdown(clusters: Sequence[CheckedCluster], inventory_warnings: Sequence[DataWarning] = (), *, command: str = "cluster check") -> str:
    """A summary table, then each cluster's failures and warnings: reads well in a pull request or a job summary."""
    passed = all(cluster.passed for cluster in clusters)
    lines = [f"## hacalc {command}: {'PASS' if passed else 'FAIL'}", ""]
    if inventory_warnings:
        lines += [*(f"- data warning: {_cell(warning.message)}" for warning in inventory_warnings), ""]
    lines += [
        "| cluster | result | hosts counted | powered-on VMs | policy | tolerate | worst failure set |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for cluster in clusters:
        cells = (cluster.name, _verdict(cluster.passed), cluster.hosts_counted, cluster.powered_on_vms, cluster.policy, cluster.tolerate, ", ".join(cluster.worst_failure_set) or "-")
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    for cluster in clusters:
        lines += ["", f"### {_cell(cluster.name)}: {_verdict(cluster.passed)}", ""]
        lines += [f"- {_cell(check.name)}: {_outcome(check)}" for check in cluster.checks]
        failed = [check for check in cluster.checks if check.unplaced]
        for check in failed:
            lines += ["", "| VM left down | restart priority | CPU MHz | memory MB | was on |", "|---|---|---:|---:|---|"]
            lines += ["| " + " | ".join(_cell(cell) for cell in (vm.name, vm.restart_priority, vm.cpu_mhz, vm.memory_mb, vm.host or "-")) + " |" for vm in check.unplaced]
        if cluster.warnings or cluster.data_warnings:
            lines += ["", *(f"- warning: {_cell(warning)}" for warning in cluster.warnings)]
            lines += [f"- data warning: {_cell(warning.message)}" for warning in cluster.data_warnings]
    return "\n".join(lines) + "\n"


def _data_check(warning: DataWarning) -> Check:
    return Check(f"data: {warning.kind}", None, warning.message)


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "**FAIL**"


def _outcome(check: Check) -> str:
    if check.passed is None:
        return f"skipped ({_cell(check.message)})"
    return "PASS" if check.passed else f"**FAIL**: {_cell(check.message)}"


def _cell(value: object) -> str:
    """Markdown-safe: one line, control characters spelled out, no ``|`` that would end a table cell, no HTML tag."""
    return visible(str(value)).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _vm_line(vm: UnplacedVM) -> str:
    return visible(f"{vm.name}: {vm.cpu_mhz} MHz, {vm.memory_mb} MB, restart priority {vm.restart_priority}, was on {vm.host or '-'}")
