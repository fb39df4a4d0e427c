"""Every input ``cluster check`` accepts, into one ``Inventory``: scenario files, fleet files, overlays, RVTools exports.

Settings are layered, weakest first: the inventory's own (or the defaults), an overlay's ``[cluster]``,
its ``[clusters."NAME"]``, then the command line. Each cluster keeps which layer gave each setting.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TextIO

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.core.vsphere.inventory import Inventory, Source, with_changes
from hacalc.i18n import _
from hacalc.readers.cluster import Overlay, decode_scenario
from hacalc.readers.files import STDIN, STDIN_NAME, Document, FieldPath, format_path, quoted, read_document

RVTOOLS_FORMATS = ("rvtools-xlsx", "rvtools-csv")
PLATFORM_FORMATS = ("proxmox", "hyperv")
KUBECTL_KIND = re.compile(r'"kind"\s*:\s*"(?:NodeList|PodList|PodDisruptionBudgetList|List|Node|Pod|PodDisruptionBudget)"')
RVTOOLS_SUFFIXES = (".xlsx", ".zip")

Locate = Callable[[str, FieldPath], str]


@dataclass(frozen=True)
class LoadedInventory:
    """An inventory, and how to name the line of a cluster setting an error is about."""

    inventory: Inventory
    locate: Locate  # (cluster name, path such as ("cluster", "options", "das.x")) -> "in FILE line N (…)"


def load_inventory(source: str, *, input_format: str | None = None, stdin: TextIO | None = None) -> LoadedInventory:
    """Read ``source`` (a path, ``-`` for stdin) in whichever accepted format it is."""
    if _is_rvtools(source, input_format):
        return _exported(source, input_format, stdin)
    if source == STDIN and input_format is None and _starts_a_zip(stdin):
        raise InputError(_("stdin holds a zip archive (an xlsx workbook or zipped CSV files)"), _("on stdin"), _("add --input-format rvtools-xlsx or rvtools-csv"))
    document = read_document(source, input_format=input_format, stdin=stdin)
    decoded = decode_scenario(document)
    if isinstance(decoded, Overlay):
        return _overlaid(decoded, source, stdin)
    return LoadedInventory(decoded, _scenario_locator(document, decoded.single))


def load_sources(sources: Sequence[str], *, input_format: str | None = None, stdin: TextIO | None = None, host_reserve_mb: int | None = None) -> LoadedInventory:
    """Read one input or, for Proxmox VE, the pvesh exports that describe one cluster together.

    Proxmox and Hyper-V exports are told by their content (or ``--input-format proxmox|hyperv``); anything
    else is one scenario, fleet, overlay or RVTools input, read by ``load_inventory``.
    """
    if looks_like_kubernetes(sources, input_format):
        raise InputError(
            _("kubectl exports describe pods and nodes, not a VM cluster"), _("on the command line"), _("check them with hacalc cluster check nodes.json pods.json [pdbs.json]")
        )
    platform = input_format if input_format in PLATFORM_FORMATS else _platform_of(sources)
    if host_reserve_mb is not None and platform != "hyperv":
        raise InputError(
            _("--host-reserve-mb applies to Hyper-V exports"), _("on the command line"), _("give it with a Get-ClusterNode/Get-VM export, or write host_reserve_mb under [[hosts]]")
        )
    if platform == "proxmox":
        from hacalc.readers.proxmox import load_proxmox

        return _platform_export(load_proxmox(sources), " and ".join(map(visible, sources)))
    if len(sources) > 1:
        raise InputError(
            _("{count} files given, and they are not Proxmox VE exports").format(count=len(sources)),
            _("on the command line"),
            _("give one scenario or export; several files are read together only for pvesh (Proxmox VE) and kubectl (Kubernetes) exports"),
        )
    if platform == "hyperv":
        from hacalc.readers.hyperv import load_hyperv

        return _platform_export(load_hyperv(sources[0], host_reserve_mb or 0), visible(sources[0]))
    return load_inventory(sources[0], input_format=input_format, stdin=stdin)


def looks_like_kubernetes(sources: Sequence[str], input_format: str | None = None) -> bool:
    """``kubectl get … -o json`` output (told by its ``kind``), or ``--input-format kubernetes``."""
    if input_format is not None:
        return input_format == "kubernetes"
    from hacalc.readers.platform_exports import sniff_text

    return all(source != STDIN and KUBECTL_KIND.search(sniff_text(source)) for source in sources)


def _platform_of(sources: Sequence[str]) -> str | None:
    from hacalc.readers.hyperv import looks_like_hyperv
    from hacalc.readers.proxmox import looks_like_proxmox

    if STDIN in sources:
        return None
    if all(looks_like_proxmox(source) for source in sources):
        return "proxmox"
    if len(sources) == 1 and looks_like_hyperv(sources[0]):
        return "hyperv"
    return None


def _platform_export(inventory: Inventory, shown: str) -> LoadedInventory:
    return LoadedInventory(inventory, _export_locator(shown))


def _export_locator(shown: str) -> Locate:
    """Where a cluster's setting is in an export, which has no lines to name: ``in FILE (cluster 'prod', tolerate)``."""
    return lambda cluster, path: _("in {file} (cluster {cluster}, {path})").format(file=shown, cluster=quoted(cluster), path=format_path(path[1:] or path))


def layer(loaded: LoadedInventory, changes: Mapping[str, Any], source: Source) -> LoadedInventory:
    """The same changes on every cluster (the command line's flags)."""
    clusters = tuple(with_changes(item, changes, source) for item in loaded.inventory.clusters)
    return replace(loaded, inventory=replace(loaded.inventory, clusters=clusters))


def _is_rvtools(source: str, input_format: str | None) -> bool:
    if input_format is not None:
        return input_format in RVTOOLS_FORMATS
    return source != STDIN and (os.path.isdir(source) or source.lower().endswith(RVTOOLS_SUFFIXES))


def _starts_a_zip(stdin: TextIO | None) -> bool:
    """Whether stdin starts like a zip file, told without consuming it (a pipe's buffer can be peeked)."""
    peek = getattr(getattr(stdin, "buffer", None), "peek", None)
    return peek is not None and peek(4)[:4] == b"PK\x03\x04"


def _exported(source: str, input_format: str | None, stdin: TextIO | None) -> LoadedInventory:
    from hacalc.readers.rvtools import read_rvtools

    binary = getattr(stdin, "buffer", stdin) if source == STDIN else None
    inventory = read_rvtools(source, input_format=input_format, stdin=binary)
    return LoadedInventory(inventory, _export_locator(STDIN_NAME if source == STDIN else visible(source)))


def _overlaid(overlay: Overlay, source: str, stdin: TextIO | None) -> LoadedInventory:
    base = os.path.dirname(source) if source != STDIN else ""
    path = os.path.join(base, overlay.inventory)
    if _is_rvtools(path, overlay.input_format):
        loaded = _exported(path, overlay.input_format, None)
    elif (overlay.input_format or _platform_of([path])) in PLATFORM_FORMATS:
        loaded = load_sources([path], input_format=overlay.input_format)
    else:
        document = read_document(path, input_format=overlay.input_format)
        inner = decode_scenario(document)
        if isinstance(inner, Overlay):
            raise InputError(_("an overlay's inventory is itself an overlay"), overlay.document.where(("inventory",)), _("point inventory at an export or a scenario file"))
        loaded = LoadedInventory(inner, _scenario_locator(document, inner.single))
    inventory = loaded.inventory
    names = [item.name for item in inventory.clusters]
    for name, table in overlay.clusters.items():
        if name not in names:
            raise InputError(_("the inventory has no cluster {name}").format(name=quoted(name)), overlay.document.where(table.path), _did_you_mean(name, names))
    clusters = tuple(
        with_changes(with_changes(item, overlay.defaults.changes, Source.overlay), overlay.clusters[item.name].changes if item.name in overlay.clusters else {}, Source.overlay)
        for item in inventory.clusters
    )
    return LoadedInventory(replace(inventory, clusters=clusters), _overlay_locator(overlay, loaded.locate))


def _scenario_locator(document: Document, single: bool) -> Locate:
    if single:
        return lambda cluster, path: document.where(path)
    return lambda cluster, path: document.where(("clusters", cluster, *path[1:]) if path and path[0] == "cluster" else ("clusters", cluster, *path))


def _overlay_locator(overlay: Overlay, inner: Locate) -> Locate:
    """A setting the overlay wrote is found in the overlay; anything else in the inventory it names."""

    def locate(cluster: str, path: FieldPath) -> str:
        setting = path[1] if len(path) > 1 and path[0] == "cluster" else None
        for table in (overlay.clusters.get(cluster), overlay.defaults):
            if table is not None and setting in table.changes:
                return overlay.document.where((*table.path, *path[1:]))
        return inner(cluster, path)

    return locate


def _did_you_mean(name: str, names: list[str]) -> str:
    matches = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if matches:
        return _("did you mean {name!r}?").format(name=matches[0])
    shown = ", ".join(map(repr, names[:5])) + (", …" if len(names) > 5 else "")
    return _("the inventory's clusters are {names}").format(names=shown) if names else _("the inventory holds no cluster")
