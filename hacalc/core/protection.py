"""The availability a VM gets from how it is protected: none, vSphere HA, Fault Tolerance, a guest cluster, a pool.

Three failure sources act on a workload, each as a stream of failures at a constant rate (exponential up
times): its host, its guest OS (the seed's blue screen) and its application. What each level does with a
failure fixes the outage it causes: a source is then an alternating up/down process whose long-run share
of down time is x/(1+x), x = rate × mean outage, whatever the distributions of the outages (the alternating
renewal theorem, reliability-math.md §5.1: deterministic and exponential delays give the same answer).
Sources are independent, so the workload is up when every source is up: U = 1 − Π 1/(1+xᵢ), computed as
expm1(Σ log1p xᵢ)/exp(Σ log1p xᵢ), never as 1 − A in floats. Hours throughout.

VM monitoring (vsphere-ha.md §2.2): a guest failure is declared 61–89 s after the last heartbeat (HOSTD's
red state, mean 75 s) plus the failure interval; it is reset only when monitoring is armed (``min_uptime``
after the last boot: probability e^{−λ·min_uptime} under exponential up times) and fewer than
``max_resets`` resets fall in the reset window (Poisson(λ·window) < max_resets; with no window, every
(max_resets+1)-th failure, the count taken to restart when a person steps in). Otherwise a person does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hacalc.core.errors import InputError
from hacalc.i18n import _

LEVELS = ("none", "ha", "ft", "guest-cluster", "pool")
CAUSES = ("host", "guest", "application")
HEARTBEAT_RED_MEAN_S = 75  # HOSTD reports red 61–89 s after the last heartbeat (HA Deepdive, "Timing")
SECOND = 1 / 3600


@dataclass(frozen=True)
class Monitoring:
    """VM monitoring as HA applies it; ``None`` where a workload has it off."""

    failure_interval: float  # hours
    min_uptime: float
    max_resets: int
    reset_window: float | None  # None: no window (the API's −1)
    label: str = ""

    def detection(self) -> float:
        return HEARTBEAT_RED_MEAN_S * SECOND + self.failure_interval

    def automatic_share(self, guest_rate: float) -> float:
        """The share of guest failures HA resets by itself: armed, and under the reset limit."""
        armed = math.exp(-guest_rate * self.min_uptime)
        if self.reset_window is None:
            return armed * self.max_resets / (self.max_resets + 1)
        return armed * _poisson_below(self.max_resets, guest_rate * self.reset_window)


PRESETS = {  # the UI's sensitivity presets (HA Deepdive): failure interval, max resets, reset window; min uptime the API default
    "low": Monitoring(120 * SECOND, 120 * SECOND, 3, 7 * 24.0, "low (120 s, 3 resets in 7 days)"),
    "medium": Monitoring(60 * SECOND, 120 * SECOND, 3, 24.0, "medium (60 s, 3 resets in 24 h)"),
    "high": Monitoring(30 * SECOND, 120 * SECOND, 3, 1.0, "high (30 s, 3 resets in 1 h)"),
}


def _poisson_below(count: int, mean: float) -> float:
    term, total = math.exp(-mean), 0.0
    for index in range(count):
        total += term
        term *= mean / (index + 1)
    return total


@dataclass(frozen=True)
class Workload:
    """What can fail and how long each response takes; a source without an MTTF does not fail."""

    host_mttf: float | None = None
    host_mttr: float = 8.0
    guest_mttf: float | None = None
    app_mttf: float | None = None
    boot: float = 2 / 60
    respond: float = 0.5
    app_restart: float = 1 / 60
    ha_detect: float = 15 * SECOND
    ha_restart: float = 1 / 60
    monitoring: Monitoring | None = None
    ft_failover: float = 2 * SECOND
    cluster_failover: float = 45 * SECOND
    common_cause: float = 0.05
    pool: int = 2
    pool_needed: int = 1
    session_loss: float = 5 * SECOND
    year: float = 8760.0

    def __post_init__(self) -> None:
        if not any(mttf is not None for mttf in (self.host_mttf, self.guest_mttf, self.app_mttf)):
            raise InputError(_("nothing can fail"), "--host-mttf", _("give at least one of --host-mttf, --guest-mttf, --app-mttf"))
        for name, mttf in (("--host-mttf", self.host_mttf), ("--guest-mttf", self.guest_mttf), ("--app-mttf", self.app_mttf)):
            if mttf is not None and not mttf > 0:
                raise InputError(_("an MTTF must be positive (leave the option out for a source that never fails)"), name, _("give e.g. 50000h"))
        timings = {"--host-mttr": self.host_mttr, "--boot": self.boot, "--respond": self.respond, "--app-restart": self.app_restart,
                   "--ha-detect": self.ha_detect, "--ha-restart": self.ha_restart, "--ft-failover": self.ft_failover,
                   "--cluster-failover": self.cluster_failover, "--session-loss": self.session_loss}
        for name, hours in timings.items():
            if not 0 <= hours < self.year:
                raise InputError((_("{name} is negative") if hours < 0 else _("{name} is not shorter than the year")).format(name=name), name, _("give a duration such as 15s, 2m or 8h"))
        if not 0 <= self.common_cause <= 1:
            raise InputError(_("the common-cause fraction is not between 0 and 1"), "--common-cause", _("give e.g. 0.05"))
        if not 1 <= self.pool_needed <= self.pool:
            raise InputError(_("a pool of {pool} cannot need {pool_needed}").format(pool=self.pool, pool_needed=self.pool_needed), "--pool-needed", _("give 1 to --pool"))
        if self.monitoring is not None and self.monitoring.reset_window is not None and self.monitoring.reset_window < self.monitoring.failure_interval:
            raise InputError(_("the VM monitoring reset window is shorter than its failure interval"), "--vm-monitoring", _("give a longer window"))

    def rate(self, cause: str) -> float:
        mttf = {"host": self.host_mttf, "guest": self.guest_mttf, "application": self.app_mttf}[cause]
        return 0.0 if mttf is None else 1 / mttf


@dataclass(frozen=True)
class Stream:
    """One independent kind of outage: ``rate`` per hour, each lasting ``outage`` hours on average, charged
    to ``cause`` (or, for a down state several causes lead to, shared among them by ``shares``)."""

    cause: str
    rate: float
    outage: float
    shares: tuple[tuple[str, float], ...] = ()

    def charges(self) -> tuple[tuple[str, float], ...]:
        return self.shares or ((self.cause, 1.0),)

    @property
    def load(self) -> float:
        return self.rate * self.outage


@dataclass(frozen=True)
class LevelResult:
    level: str
    unavailability: float
    downtime_per_year: Mapping[str, float]  # hours, by cause and "total"
    outages_per_year: float
    outage_hours: Mapping[str, float]  # the mean outage one failure of each cause causes at this level
    annual_cost: float | None = None
    meets_target: bool | None = None
    notes: tuple[str, ...] = ()

    @property
    def availability(self) -> float:
        return 1 - self.unavailability

    @property
    def mean_outage(self) -> float | None:
        return None if self.outages_per_year == 0 else self.downtime_per_year["total"] / self.outages_per_year


@dataclass(frozen=True)
class Comparison:
    workload: Workload
    levels: tuple[LevelResult, ...]
    cheapest_meeting_target: str | None
    assumptions: tuple[str, ...] = field(default=())


def outage_hours(workload: Workload, level: str) -> dict[str, float]:
    """The mean outage one failure of each cause causes for a workload at ``level`` (a pool: one instance)."""
    manual_guest = workload.respond + workload.boot
    manual_app = workload.respond + workload.app_restart
    by_ha = {
        "host": workload.ha_detect + workload.ha_restart + workload.boot,
        "guest": _guest_under_ha(workload),
        "application": manual_app,
    }
    if level == "none":
        return {"host": workload.host_mttr + workload.boot, "guest": manual_guest, "application": manual_app}
    if level == "ft":
        return {**by_ha, "host": workload.ft_failover}
    if level in ("ha", "pool"):
        return by_ha
    return {cause: workload.cluster_failover for cause in CAUSES}  # guest-cluster: every monitored failure fails over


def _guest_under_ha(workload: Workload) -> float:
    manual = workload.respond + workload.boot
    if workload.monitoring is None:
        return manual
    automatic = workload.monitoring.automatic_share(workload.rate("guest"))
    return automatic * (workload.monitoring.detection() + workload.boot) + (1 - automatic) * manual


def _streams(workload: Workload, level: str) -> list[Stream]:
    if level == "guest-cluster":
        return _guest_cluster_streams(workload)
    if level == "pool":
        return _pool_streams(workload)
    durations = outage_hours(workload, level)
    return [Stream(cause, workload.rate(cause), durations[cause]) for cause in CAUSES if workload.rate(cause)]


def _guest_cluster_streams(workload: Workload) -> list[Stream]:
    """Two nodes on different hosts, each recovered as HA would: a failure of the active node fails over;
    a common-cause share of guest and application failures (a bad patch) takes both down until recovered;
    and both nodes down at once, independently, is the pair's own unavailability."""
    recovery = outage_hours(workload, "ha")
    streams = []
    for cause in CAUSES:
        rate = workload.rate(cause)
        if not rate:
            continue
        shared = workload.common_cause if cause != "host" else 0.0
        streams.append(Stream(cause, rate * (1 - shared), workload.cluster_failover))
        if shared:
            streams.append(Stream(cause, rate * shared, recovery[cause]))
    node = [Stream(cause, workload.rate(cause), recovery[cause]) for cause in CAUSES if workload.rate(cause)]
    node_down = unavailability_of(node)
    node_failures = sum(stream.rate for stream in node) * (1 - node_down)  # per hour, of one node
    both = node_down * node_down
    # both down: entered when either node fails while the other is down; charged to causes by their shares
    streams += _spread(node, both / (1 - both), 2 * node_failures * node_down)
    return streams


def _spread(streams: Sequence[Stream], load: float, frequency: float) -> list[Stream]:
    """One down state of ``load`` (x = U/A) entered ``frequency`` times an hour, its time charged to the
    causes by their shares of ``streams``' load."""
    if not load or not frequency:
        return []
    total = sum(stream.load for stream in streams)
    return [Stream("shared", frequency, load / frequency, tuple((stream.cause, stream.load / total) for stream in streams))]


def _pool_streams(workload: Workload) -> list[Stream]:
    """N instances under HA, K needed: the k-of-n unavailability of independent instances, charged to causes
    by their shares, and a short session loss for each instance failure."""
    instance = _streams(workload, "ha")
    down = unavailability_of(instance)
    count, needed = workload.pool, workload.pool_needed
    short = sum(math.comb(count, up) * (1 - down) ** up * down ** (count - up) for up in range(needed))
    edge = math.comb(count, needed) * (1 - down) ** needed * down ** (count - needed)  # exactly K up: one more failure is an outage
    streams = _spread(instance, short / (1 - short), edge * needed * sum(stream.rate for stream in instance))
    streams += [Stream(stream.cause, count * stream.rate, workload.session_loss) for stream in instance if workload.session_loss]
    return streams


def unavailability_of(streams: Sequence[Stream]) -> float:
    """U = 1 − Π 1/(1+xᵢ) without subtracting floats near 1."""
    total = sum(math.log1p(stream.load) for stream in streams)
    return -math.expm1(-total)


def solve_level(workload: Workload, level: str) -> LevelResult:
    streams = _streams(workload, level)
    unavailability = unavailability_of(streams)
    load = sum(stream.load for stream in streams)
    downtime = {cause: 0.0 for cause in CAUSES}
    for stream in streams:
        for cause, share in stream.charges():
            downtime[cause] += workload.year * unavailability * share * (stream.load / load if load else 0.0)
    downtime["total"] = workload.year * unavailability
    outages = workload.year * (1 - unavailability) * sum(stream.rate for stream in streams)
    return LevelResult(level, unavailability, downtime, outages, outage_hours(workload, level))


def compare(workload: Workload, levels: Sequence[str], costs: Mapping[str, float] | None = None, target_unavailability: float | None = None) -> Comparison:
    """Every level side by side; the cheapest one that meets the target (unpriced levels count as free)."""
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        raise InputError(_("unknown protection level {level!r}").format(level=unknown[0]), "--levels", _("choose from {levels}").format(levels=", ".join(LEVELS)))
    results = []
    for level in levels:
        result = solve_level(workload, level)
        cost = None if costs is None else costs.get(level, 0.0 if level == "none" else None)
        meets = None if target_unavailability is None else result.unavailability <= target_unavailability
        results.append(LevelResult(result.level, result.unavailability, result.downtime_per_year, result.outages_per_year, result.outage_hours, cost, meets))
    meeting = [result for result in results if result.meets_target]
    cheapest = min(meeting, key=lambda result: (result.annual_cost or 0.0, LEVELS.index(result.level))).level if meeting else None
    return Comparison(workload, tuple(results), cheapest, ASSUMPTIONS)


def parse_costs(text: str) -> dict[str, float]:
    """``ha=500,ft=3000``: the annual cost of each level."""
    from hacalc.core.units import parse_number

    costs = {}
    for part in text.split(","):
        level, equals, amount = part.strip().partition("=")
        if not equals or level.strip() not in LEVELS:
            raise InputError(_("cost {cost!r} is not LEVEL=AMOUNT").format(cost=part.strip()), "--cost", _("write e.g. ha=500,ft=3000 (levels: {levels})").format(levels=", ".join(LEVELS)))
        value = parse_number(amount)
        if value < 0:
            raise InputError(_("a cost is negative"), "--cost", _("give zero or more"))
        costs[level.strip()] = float(value)
    return costs


ASSUMPTIONS = (
    "failures of the host, the guest OS and the application are independent, at constant rates (exponential up times)",
    "each outage's mean is what counts: deterministic or exponential delays give the same long-run availability (alternating renewal theorem)",
    "a host failure is repaired by one crew; the VM does not fail while it is down",
    "HA restarts the VM on a surviving host with capacity (cluster check --availability models capacity)",
    "VM monitoring resets a guest (not an application) failure; application monitoring is not modelled",
    "Fault Tolerance's secondary fails with the primary on guest and application failures, so those are handled as under HA",
    "guest-cluster nodes sit on different hosts and are recovered as HA would; host failures are never common-cause",
    "a pool's instances are independent VMs under HA; each instance failure loses its sessions for --session-loss",
    "not modelled: storage, network partitions, correlated failures beyond --common-cause, human error during recovery",
)


def monitoring_from_report(report: Any) -> Monitoring | None:
    """hacalc's resolved cluster settings (``VmMonitoringReport``) as the model's monitoring."""
    if report is None or not report.enabled:
        return None
    return Monitoring(
        report.failure_interval_s * SECOND,
        report.min_uptime_s * SECOND,
        report.max_resets,
        None if report.reset_window_s == -1 else report.reset_window_s * SECOND,
        f"from the cluster ({report.failure_interval_s} s, {report.max_resets} resets"
        + (" with no window" if report.reset_window_s == -1 else f" in {report.reset_window_s} s") + ")",
    )


def as_dict(comparison: Comparison) -> dict[str, Any]:
    return {
        "levels": [
            {
                "level": result.level,
                "availability": result.availability,
                "unavailability": result.unavailability,
                "nines": -math.log10(result.unavailability) if result.unavailability > 0 else None,
                "downtime_seconds_per_year": {key: hours * 3600 for key, hours in result.downtime_per_year.items()},
                "outages_per_year": result.outages_per_year,
                "mean_outage_seconds": None if result.mean_outage is None else result.mean_outage * 3600,
                "outage_seconds_by_cause": {cause: hours * 3600 for cause, hours in result.outage_hours.items()},
                "meets_target": result.meets_target,
                "annual_cost": result.annual_cost,
            }
            for result in comparison.levels
        ],
        "cheapest_meeting_target": comparison.cheapest_meeting_target,
        "assumptions": list(comparison.assumptions),
    }
