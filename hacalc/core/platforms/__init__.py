"""The failover rules of the platforms beside vSphere, each computed exactly as its vendor publishes it.

One module per platform (``hyperv``, ``xenserver``, ``nutanix``, ``proxmox``, ``kubernetes``); every rule
reads the same :class:`~hacalc.core.vsphere.model.Cluster` and reports beside the exact restart check.
"""

from hacalc.core.platforms.compare import compare_rules, platform_rule
from hacalc.core.platforms.report import RuleDetail, RuleReport, RuleRow

__all__ = ["RuleDetail", "RuleReport", "RuleRow", "compare_rules", "platform_rule"]
