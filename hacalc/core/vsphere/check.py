"""``check_cluster``: admission control per version profile, then the exact restart check."""

from __future__ import annotations

from hacalc.core.vsphere.model import Cluster, Policy
from hacalc.core.vsphere.report import ClusterReport


def check_cluster(
    cluster: Cluster,
    *,
    tolerate: int | None = None,
    policy: Policy | None = None,
    strict_keys: bool = False,
    restart_check: bool = True,
) -> ClusterReport:
    """The report for ``cluster``; ``tolerate`` and ``policy`` override the file's settings.

    Raises InputError for option keys vCenter would reject and values that cannot be read.
    """
    raise NotImplementedError("check_cluster is being written")
