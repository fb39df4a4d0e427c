"""The das.* advanced options HA knows, checked as vCenter checks them, and the VM monitoring settings.

Keys are matched case-insensitively (VMware's own documents spell ``das.vmcpuminmhz`` and
``das.vmCpuMinMHz``), with a warning naming the canonical spelling; a key that is not an HA option is
refused with vCenter's message, ``Bad HA advanced option key: <key>`` (seed handbook, C-ESX35).
Sources: vsphere-ha.md §2.1 (table), §2.2 (VM monitoring).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from hacalc.core.vsphere.model import FieldError, VmMonitoring, VmMonitoringSensitivity
from hacalc.core.vsphere.report import OptionLine, VmMonitoringReport
from hacalc.core.vsphere.versions import VersionProfile, parse_version_number
from hacalc.i18n import N_, Message, _

OPTIONS = ("cluster", "options")
BAD_KEY = N_("Bad HA advanced option key: {key}")  # vCenter's own words (seed handbook, C-ESX35)
MONITORING = ("cluster", "vm_monitoring")


@dataclass(frozen=True)
class OptionSpec:
    key: str  # canonical spelling; "<N>" stands for an index
    kind: str  # "int", "bool" or "text"
    default: str | None
    since: str | None = None
    until: str | None = None  # last version it applies to
    minimum: int | None = None
    maximum: int | None = None
    meaning: str = ""

    def applies_to(self, profile: VersionProfile) -> bool:
        """``until = "4.1"`` includes 4.1 and its updates."""
        if self.since and not profile.at_least(self.since):
            return False
        return self.until is None or profile.number[:2] <= parse_version_number(self.until)[:2]


KNOWN_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("das.vmCpuMinMHz", "int", None, "2.5", minimum=0, meaning="CPU counted for a VM without a CPU reservation (256 MHz to 4.x, 32 MHz from 5.0)"),
    OptionSpec("das.vmMemoryMinMB", "int", None, "2.5", minimum=0, meaning="memory counted for a VM without a memory reservation (256 MB in 2.5, 0 later)"),
    OptionSpec("das.slotCpuInMHz", "int", None, "4.0", minimum=1, meaning="upper bound on the CPU slot"),
    OptionSpec("das.slotMemInMB", "int", None, "4.0", minimum=1, meaning="upper bound on the memory slot"),
    OptionSpec("das.isolationaddress<N>", "text", None, "2.5", minimum=0, maximum=10, meaning="extra isolation address (index 0-9 or 1-10)"),
    OptionSpec("das.usedefaultisolationaddress", "bool", "true", "4.0", meaning="use the default gateway as an isolation address"),
    OptionSpec("das.isolationShutdownTimeout", "int", "300", "4.0", minimum=0, meaning="seconds to wait for a guest shutdown on isolation"),
    OptionSpec("das.failuredetectiontime", "int", "15000", "2.5", "4.1", minimum=0, meaning="ms without heartbeat before a host is declared failed (deprecated in 5.0)"),
    OptionSpec("das.poweroffonisolation", "bool", "true", None, "2.5", meaning="VI3 default isolation response"),
    OptionSpec("das.allowNetwork<N>", "text", None, "2.5", minimum=0, maximum=9, meaning="port group usable for HA traffic"),
    OptionSpec("das.bypassNetCompatCheck", "bool", "false", "2.5", "4.1", meaning="skip the compatible-network check"),
    OptionSpec("das.ignoreRedundantNetWarning", "bool", "false", "4.0", "5.5", meaning="no warning for a non-redundant management network"),
    OptionSpec("das.heartbeatDsPerHost", "int", "2", "5.0", minimum=2, maximum=5, meaning="heartbeat datastores required"),
    OptionSpec("das.ignoreInsufficientHbDatastore", "bool", "false", "5.0", meaning="no config issue for too few heartbeat datastores"),
    OptionSpec("das.perHostConcurrentFailoversLimit", "int", "32", "5.0", "5.5", minimum=1, meaning="concurrent power-ons per host during failover"),
    OptionSpec("das.sensorPollingFreq", "int", "10", None, "4.1", minimum=1, maximum=30, meaning="HA status update interval"),
    OptionSpec("das.maxFtVmsPerHost", "int", "4", "5.0", "5.5", minimum=0, meaning="FT primaries and secondaries per host"),
    OptionSpec("das.includeFTcomplianceChecks", "bool", "true", "5.0", "5.5", meaning="FT checks in cluster compliance"),
    OptionSpec("das.maskCleanShutdownEnabled", "bool", None, "5.0", meaning="treat an inaccessible VM's clean-shutdown flag as false"),
    OptionSpec("das.iostatsInterval", "int", "120", "4.0", minimum=0, meaning="VM monitoring I/O window in seconds"),
    OptionSpec("das.failureInterval", "int", "30", "2.5", "5.0", minimum=1, meaning="VM monitoring: seconds without heartbeat before a VM is failed"),
    OptionSpec("das.minUptime", "int", "120", "2.5", "5.0", minimum=0, meaning="VM monitoring: seconds after power-on before monitoring starts"),
    OptionSpec("das.maxFailures", "int", "3", "2.5", "5.0", minimum=0, meaning="VM monitoring: automated resets allowed in the window"),
    OptionSpec("das.maxFailureWindow", "int", "-1", "2.5", "5.0", minimum=-1, meaning="VM monitoring: window in seconds for maxFailures (-1: none)"),
    OptionSpec("das.vmFailoverEnabled", "bool", "false", "2.5", "5.0", meaning="VM monitoring on or off"),
    OptionSpec("das.config.fdm.deadIcmpPingInterval", "int", "10", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.icmpPingTimeout", "int", "5", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.hostTimeout", "int", "10", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.stateLogInterval", "int", "600", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.ft.cleanupTimeout", "int", "900", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.storageVmotionCleanupTimeout", "int", "900", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.policy.unknownStateMonitorPeriod", "int", None, "5.0", "6.0", minimum=0),
    OptionSpec("das.config.fdm.event.maxMasterEvents", "int", "1000", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.fdm.event.maxSlaveEvents", "int", "600", "5.0", "5.5", minimum=0),
    OptionSpec("das.config.log.maxFileNum", "int", None, "5.0", "5.5", minimum=0),
    OptionSpec("das.config.log.maxFileSize", "int", None, "5.0", "5.5", minimum=0),
    OptionSpec("das.config.log.directory", "text", None, "5.0", "5.5"),
    OptionSpec("das.config.fdm.memReservationMB", "int", "250", "5.0", minimum=100),
    OptionSpec("fdm.isolationPolicyDelaySec", "int", "30", "5.0", minimum=30, meaning="delay before the isolation response (an FDM host option)"),
    OptionSpec("das.respectVmVmAntiAffinityRules", "bool", None, "6.0", meaning="HA respects VM-VM anti-affinity rules on restart"),
    OptionSpec("das.maxresets", "int", None, "6.0", minimum=0, meaning="VM Component Protection reset retries"),
    OptionSpec("das.maxterminates", "int", None, "6.0", minimum=0, meaning="VM Component Protection terminate retries"),
    OptionSpec("das.terminateretryintervalsec", "int", None, "6.0", minimum=0, meaning="VM Component Protection retry interval"),
    OptionSpec("das.maxvmrestartcount", "int", "5", "4.0", "5.5", minimum=0, meaning="VM restart retries"),
)

_BY_LOWER = {spec.key.lower(): spec for spec in KNOWN_OPTIONS}
_INDEXED = re.compile(r"(.*?)(\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
_BOOLEANS = {"true": True, "false": False}

# VM monitoring presets (HA Deepdive table): failure interval, max resets, reset window.
PRESETS: dict[VmMonitoringSensitivity, tuple[int, int, int]] = {
    VmMonitoringSensitivity.high: (30, 3, 3600),
    VmMonitoringSensitivity.medium: (60, 3, 86400),
    VmMonitoringSensitivity.low: (120, 3, 604800),
}
API_DEFAULTS = {"failure_interval_s": 30, "min_uptime_s": 120, "max_resets": 3, "reset_window_s": -1}
_MONITORING_KEYS = {
    "failure_interval_s": "das.failureInterval",
    "min_uptime_s": "das.minUptime",
    "max_resets": "das.maxFailures",
    "reset_window_s": "das.maxFailureWindow",
}


@dataclass(frozen=True)
class ResolvedOptions:
    """The options as read: effective parsed values by canonical key, one line per option, and warnings."""

    values: dict[str, int | bool | str]
    lines: tuple[OptionLine, ...]
    warnings: tuple[str, ...]

    def get(self, key: str, default: int | None = None) -> int | None:
        value = self.values.get(key)
        return default if value is None else int(value)

    def typed_key(self, canonical: str) -> str:
        """The key as the file spells it (``das.MinUptime``), so errors can point at its line."""
        return next(line.key for line in reversed(self.lines) if line.canonical == canonical and line.effective)


def find_spec(key: str) -> tuple[OptionSpec, str] | None:
    """The spec for ``key`` (any case) and its canonical spelling, or None if HA has no such option."""
    lower = key.strip().lower()
    if lower in _BY_LOWER:
        spec = _BY_LOWER[lower]
        return spec, spec.key
    indexed = _INDEXED.fullmatch(lower)
    if indexed:
        spec = _BY_LOWER.get(indexed.group(1) + "<n>")
        if spec is not None and spec.minimum is not None and spec.maximum is not None:
            if spec.minimum <= int(indexed.group(2)) <= spec.maximum:
                return spec, spec.key.replace("<N>", indexed.group(2))
    return None


def suggestion(key: str) -> str | None:
    """The nearest known key, trying the missing ``das.`` prefix first (``VMFailoverEnabled``)."""
    lower = key.strip().lower()
    if not lower.startswith("das.") and find_spec("das." + lower):
        return find_spec("das." + lower)[1]
    names = [spec.key.replace("<N>", "0") for spec in KNOWN_OPTIONS]
    close = difflib.get_close_matches(lower, [name.lower() for name in names], n=1, cutoff=0.6)
    if not close:
        return None
    return next(name for name in names if name.lower() == close[0])


def resolve_options(options: dict[str, object], profile: VersionProfile, *, strict_keys: bool = False) -> ResolvedOptions:
    """Check every key and value; raise InputError for what vCenter refuses or its documented range excludes, warn about the rest."""
    values: dict[str, int | bool | str] = {}
    lines: list[OptionLine] = []
    warnings: list[str] = []
    for key, raw in options.items():
        found = find_spec(key)
        if found is None:
            guess = suggestion(key)
            raise FieldError(
                _(BAD_KEY).format(key=key),
                (*OPTIONS, key),
                _("did you mean {name}?").format(name=guess) if guess else _("see the das.* table in the vSphere core documentation"),
            )
        spec, canonical = found
        if key != canonical:
            if strict_keys:
                raise FieldError(_(BAD_KEY).format(key=key), (*OPTIONS, key), _("the canonical spelling is {canonical} (--strict-keys)").format(canonical=canonical))
            warnings.append(Message(N_("option {key} matched {canonical} case-insensitively; write {canonical}"), key=key, canonical=canonical))
        text = _as_text(canonical, raw, warnings)
        parsed = _parse_value(spec, key, canonical, text)
        effective = spec.applies_to(profile)
        note = None if effective else _version_note(spec, profile)
        if note:
            warnings.append(Message(N_("option {canonical}: {note}"), canonical=canonical, note=note))
        if effective:
            values[canonical] = parsed
        lines.append(OptionLine(key, canonical, text, effective, note))
    return ResolvedOptions(values, tuple(lines), tuple(warnings))


def _as_text(canonical: str, raw: object, warnings: list[str]) -> str:
    if isinstance(raw, str):
        return raw
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    warnings.append(Message(
        N_("option {canonical} was given as {type} {raw!r}; vCenter takes option values as strings, write \"{text}\""),
        canonical=canonical, type=type(raw).__name__, raw=raw, text=text,
    ))
    return text


def _parse_value(spec: OptionSpec, key: str, canonical: str, text: str) -> int | bool | str:
    stripped = text.strip()
    if spec.kind == "int":
        if not _INTEGER.fullmatch(stripped):
            raise FieldError(_("option {canonical} = {text!r} is not a whole number").format(canonical=canonical, text=text), (*OPTIONS, key), _("write digits in quotes, e.g. \"32\""))
        return _in_range(spec, key, canonical, int(stripped))
    if spec.kind == "bool":
        if stripped.lower() not in _BOOLEANS:
            raise FieldError(_("option {canonical} = {text!r} is not true or false").format(canonical=canonical, text=text), (*OPTIONS, key), _("write \"true\" or \"false\""))
        return _BOOLEANS[stripped.lower()]
    return stripped


def _version_note(spec: OptionSpec, profile: VersionProfile) -> Message:
    if spec.since and not profile.at_least(spec.since):
        return Message(N_("not an HA option before {since} (profile {profile}); ignored"), since=spec.since, profile=profile.name)
    return Message(N_("applies up to {until}, not to {profile}; ignored"), until=spec.until, profile=profile.name)


def _in_range(spec: OptionSpec, key: str, canonical: str, value: int) -> int:
    """A value outside the documented range is refused: used as given it would size slots below zero."""
    if (spec.minimum is None or value >= spec.minimum) and (spec.maximum is None or value <= spec.maximum):
        return value
    fix = _("use a whole number from {minimum} to {maximum}") if spec.maximum is not None else _("use a whole number of {minimum} or more")
    raise FieldError(
        _("option {canonical} = {value} is outside its documented range").format(canonical=canonical, value=value), (*OPTIONS, key),
        fix.format(minimum=spec.minimum, maximum=spec.maximum),
    )


def resolve_vm_monitoring(settings: VmMonitoring | None, resolved: ResolvedOptions) -> tuple[VmMonitoringReport, list[str]]:
    """Effective VM monitoring: das.* option (up to 5.0), then the setting, then the preset, then the API default."""
    warnings: list[str] = []
    preset = PRESETS.get(settings.sensitivity) if settings and settings.sensitivity else None
    preset_values = dict(zip(("failure_interval_s", "max_resets", "reset_window_s"), preset)) if preset else {}
    values: dict[str, int] = {}
    sources: dict[str, str] = {}
    for name, option_key in _MONITORING_KEYS.items():
        explicit = getattr(settings, name) if settings else None
        if option_key in resolved.values:
            values[name], sources[name] = int(resolved.values[option_key]), option_key
        elif explicit is not None:
            values[name], sources[name] = explicit, "setting"
        elif name in preset_values:
            values[name], sources[name] = preset_values[name], f"preset {settings.sensitivity.value}"
        else:
            values[name], sources[name] = API_DEFAULTS[name], "API default"
    if "das.vmFailoverEnabled" in resolved.values:
        enabled, sources["enabled"] = bool(resolved.values["das.vmFailoverEnabled"]), "das.vmFailoverEnabled"
    else:
        enabled, sources["enabled"] = (settings.enabled, "setting") if settings else (False, "default")
    _validate_monitoring(values, sources, resolved)
    if enabled and values["failure_interval_s"] < 30:
        warnings.append(Message(N_("VM monitoring failure interval {interval} s is below HA's 30 s minimum"), interval=values["failure_interval_s"]))
    window = values["reset_window_s"]
    if enabled and window != -1 and window < values["failure_interval_s"]:
        warnings.append(Message(N_("VM monitoring reset window {window} s is shorter than the failure interval {interval} s"), window=window, interval=values["failure_interval_s"]))
    iostats = resolved.values.get("das.iostatsInterval")
    if enabled and iostats is not None and iostats != values["failure_interval_s"]:
        warnings.append(Message(
            N_("das.iostatsInterval {iostats} s differs from the failure interval {interval} s; the HA Deepdive advises aligning them"), iostats=iostats, interval=values["failure_interval_s"]
        ))
    sensitivity = settings.sensitivity.value if settings and settings.sensitivity else None
    report = VmMonitoringReport(enabled, sensitivity, values["failure_interval_s"], values["min_uptime_s"], values["max_resets"], window, sources)
    return report, warnings


def _validate_monitoring(values: dict[str, int], sources: dict[str, str], resolved: ResolvedOptions) -> None:
    def path(name: str) -> tuple[str, ...]:
        """The das.* option the value came from, else the vm_monitoring setting."""
        source = sources[name]
        return (*OPTIONS, resolved.typed_key(source)) if source == _MONITORING_KEYS[name] else (*MONITORING, name)

    if values["failure_interval_s"] < 1:
        raise FieldError(_("VM monitoring failure interval {interval} s is not positive").format(interval=values["failure_interval_s"]), path("failure_interval_s"), _("use 30 s or more"))
    if values["min_uptime_s"] < 0:
        raise FieldError(_("VM monitoring minimum uptime {uptime} s is negative").format(uptime=values["min_uptime_s"]), path("min_uptime_s"), _("use 0 s or more"))
    if values["max_resets"] < 0:
        raise FieldError(_("VM monitoring max resets {resets} is negative").format(resets=values["max_resets"]), path("max_resets"), _("use 0 or more"))
    window = values["reset_window_s"]
    if window != -1 and window <= 0:
        raise FieldError(_("VM monitoring reset window {window} s is not valid").format(window=window), path("reset_window_s"), _("use -1 for no window or a positive number of seconds"))
