"""``hacalc incidents``: observed availability, MTBF and MTTR with confidence, from what really happened."""

from __future__ import annotations

import time
from enum import Enum
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, Optional

import typer

from hacalc.cli.charts.option import PlotOption, plot_request, plotting
from hacalc.cli.options import FormatOption, located
from hacalc.cli.output import OutputFormat, write_csv, write_json, write_table
from hacalc.cli.status import ExitStatus
from hacalc.core.errors import InputError
from hacalc.i18n import N_, _, command_help

if TYPE_CHECKING:
    from datetime import tzinfo

    from hacalc.cli.env import Environment
    from hacalc.core.availability import Availability
    from hacalc.core.incident_report import Counting, GroupResult, IncidentsReport, PeriodResult
    from hacalc.core.incidents import Incident, SourceRead

TIME_OPTIONS = N_("Window and calendar")
COUNTING_OPTIONS = N_("What counts")
ROW_COLUMNS = (
    "period", "period_start", "period_end", "group", "name", "objects", "counted_seconds", "downtime_seconds",
    "planned_seconds", "failures", "repairs", "availability", "unavailability", "nines", "mtbf_seconds",
    "mtbf_lower_seconds", "mtbf_upper_seconds", "mttr_seconds", "mttr_lower_seconds", "mttr_upper_seconds",
    "availability_lower", "availability_upper", "demonstrated_nines", "meets_target",
)
INCIDENT_COLUMNS = ("object", "start", "end", "kind", "service", "object_type", "duration_seconds", "note", "origin")
MAX_EXAMPLES_SHOWN = 3
TYPE_LABELS = {"vm": N_("all VMs"), "host": N_("all hosts")}


class Gate(NamedTuple):
    """--target, held against observed availability or (--check demonstrated) its lower confidence bound."""

    target: Availability
    demonstrated: bool

    def meets(self, row: GroupResult) -> bool | None:
        return row.meets(self.target, demonstrated=self.demonstrated)


def _meets(row: GroupResult, gate: Gate | None) -> bool | None:
    return None if gate is None else gate.meets(row)


class SourceFormat(str, Enum):
    csv = "csv"
    ndjson = "ndjson"
    govc = "govc"
    powercli = "powercli"
    hostd = "hostd"
    fdm = "fdm"


class CalendarUnit(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


def incidents(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help=_("Incident lists (CSV, NDJSON), govc or PowerCLI event exports, hostd or fdm logs (gzip too); - for stdin."),
            show_default=False,
        ),
    ],
    input_format: Annotated[
        Optional[SourceFormat],
        typer.Option("--input-format", case_sensitive=False, help=_("Format of every FILE, when its content does not tell it."), show_default=False),
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help=_("Time zone of naive times, calendar periods, service hours and maintenance windows (IANA name)."))] = "UTC",
    start: Annotated[
        Optional[str], typer.Option("--from", help=_("Start of the window: a date (midnight) or a time."), rich_help_panel=_(TIME_OPTIONS), show_default=False)
    ] = None,
    end: Annotated[
        Optional[str],
        typer.Option("--to", help=_("End of the window: a date (the end of that day), a time, or now."), rich_help_panel=_(TIME_OPTIONS), show_default=False),
    ] = None,
    window: Annotated[
        Optional[str], typer.Option("--window", help=_("Window length ending at --to (or at the end of the data), e.g. 90d."), rich_help_panel=_(TIME_OPTIONS), show_default=False)
    ] = None,
    calendar: Annotated[
        Optional[CalendarUnit],
        typer.Option("--calendar", case_sensitive=False, help=_("Also report each calendar period (in --tz)."), rich_help_panel=_(TIME_OPTIONS), show_default=False),
    ] = None,
    service_hours: Annotated[
        Optional[list[str]],
        typer.Option("--service-hours", help=_("Only time inside these hours counts, e.g. 'Mon-Fri 08:00-20:00'; repeatable."), rich_help_panel=_(COUNTING_OPTIONS), show_default=False),
    ] = None,
    maintenance: Annotated[
        Optional[list[str]],
        typer.Option("--maintenance", help=_("Recurring planned window, e.g. 'Sat 02:00-04:00'; repeatable."), rich_help_panel=_(COUNTING_OPTIONS), show_default=False),
    ] = None,
    count_planned: Annotated[
        bool, typer.Option("--count-planned", help=_("Count planned time: planned incidents as downtime, --maintenance windows as ordinary time."), rich_help_panel=_(COUNTING_OPTIONS))
    ] = False,
    confidence: Annotated[str, typer.Option("--confidence", help=_("Confidence of the bounds: 0.90, 90{percent} or 95{percent}.").format(percent="%"))] = "0.90",
    target: Annotated[Optional[str], typer.Option("--target", help=_("Availability target, e.g. 99.95 or '4 nines'."), show_default=False)] = None,
    check: Annotated[
        Optional[str],
        typer.Option(
            "--check",
            metavar="[observed|demonstrated]",
            help=_("Exit 1 when a row's observed availability (or, with demonstrated, its lower bound) is below --target."),
            show_default=False,
        ),
    ] = None,
    list_incidents: Annotated[
        bool, typer.Option("--list", help=_("Print the incidents found (an incident list hacalc reads back) instead of the report."))
    ] = False,
    output_format: FormatOption = OutputFormat.table,
    plot: PlotOption = None,
) -> None:
    """Observed availability, MTBF and MTTR with confidence bounds, per object, service and in total.

    Reads incident lists, vCenter events (govc events -l -json, PowerCLI Get-VIEvent as JSON) and ESXi
    hostd/fdm logs; pairs failures with recoveries; merges overlapping outages; leaves planned time out
    unless --count-planned. MTBF bounds are chi-square (time-terminated), availability bounds F.

    Examples:

        hacalc incidents scenarios/incidents/hostd-seed.log

        hacalc incidents outages.csv --from 2026-01-01 --to 2026-06-30 --calendar month --target 99.9 --check
    """
    env: Environment = ctx.obj
    zone = _zone(tz)
    check_mode = _check_mode(check, target)
    counting_inputs = _counting_inputs(service_hours or (), maintenance or (), confidence)
    target_value = None if target is None else _target(target)
    request = plot_request(plot, output_format.value)

    from hacalc.core.incident_report import summarize
    from hacalc.core.incidents import STILL_OPEN, IncidentTable
    from hacalc.readers.incidents import read_sources

    if list_incidents and check_mode:
        raise InputError(_("--check gates the report, not --list"), "--check", _("drop --list to gate on the report"))
    if list_incidents and request:
        raise InputError(_("--plot charts the report, not --list"), "--plot", _("drop --list to chart the report"))
    sources = read_sources(files, zone, None if input_format is None else input_format.value, detail=list_incidents)
    counting = _counting(_span(sources), zone, start, end, window, calendar, count_planned, *counting_inputs)
    _warn_about_sources(env, sources)  # after the last possible error: a failing run prints one line
    if list_incidents:
        listed = [incident for source in sources for incident in source.incidents]
        if not counting.window_from_data:
            listed = [incident for incident in listed if _overlaps(incident, counting)]
        _write_incidents(env, listed, zone, output_format)
        return
    table = IncidentTable.joined([source.incident_table() for source in sources])
    if end is None and (start is None or window is None) and (still_open := int((table.end == STILL_OPEN).sum())):
        env.warn(
            _(
                "{count} incident(s) are still open; they count until the window ends at the last time in the data "
                "({end}): give --to now, or the time the record was taken, to count them until then"
            ).format(count=still_open, end=_local(counting.end, zone))
        )
    report = summarize(table, counting)
    gate = None if target_value is None else Gate(target_value, check_mode == "demonstrated")
    failing = [] if gate is None else report.below(gate.target, demonstrated=gate.demonstrated)
    with plotting(env, request, "incidents", report, target_value, tz):
        if output_format is OutputFormat.json:
            write_json(env, _json(report, sources, gate, check_mode, failing))
        elif output_format is OutputFormat.csv:
            write_csv(env, ROW_COLUMNS, _csv_rows(report, gate))
        else:
            _write_tables(env, report, sources, gate)
    if check_mode and failing:
        period, row = failing[0]
        which = _("lower bound") if check_mode == "demonstrated" else _("observed availability")
        env.stderr.write(
            _("FAIL: {count} row(s) below the target; first: {row} in {period}, {which} {value}").format(
                count=len(failing), row=_row_label(row), period=_(period.label), which=which, value=_percent(row.checked(check_mode == "demonstrated"))
            )
            + "\n"
        )
        raise typer.Exit(ExitStatus.GATE_FAILED)


# --- inputs -----------------------------------------------------------------------------------------


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(_("unknown time zone {name!r}").format(name=name), "--tz", _("give an IANA name such as UTC, Europe/Berlin or Asia/Shanghai")) from None


def _check_mode(check: str | None, target: str | None) -> str | None:
    if check is None:
        return None
    if check not in ("observed", "demonstrated"):
        raise InputError(_("--check takes observed or demonstrated, not {check!r}").format(check=check), "--check", _("write --check or --check demonstrated"))
    if target is None:
        raise InputError(_("--check needs a target"), "--check", _("add --target, e.g. --target 99.95"))
    return check


def _target(text: str) -> Availability:
    from hacalc.core.availability import Availability
    from hacalc.core.units import parse_availability

    return Availability(1 - located("--target", parse_availability, text))


def _counting_inputs(service_hours: Any, maintenance: Any, confidence: str) -> tuple[tuple, tuple, Fraction]:
    from hacalc.core.timeline import parse_weekly

    return (
        tuple(located("--service-hours", parse_weekly, text) for text in service_hours),
        tuple(located("--maintenance", parse_weekly, text) for text in maintenance),
        located("--confidence", _confidence, confidence),
    )


def _confidence(text: str) -> Fraction:
    from hacalc.core.units import parse_probability

    return parse_probability(text, _("confidence"), strictly_between=True)


def _span(sources: list[SourceRead]) -> tuple[int, int] | None:
    """The time the inputs cover together: the window when none is given."""
    spans = [span for source in sources if (span := source.covered()) is not None]
    return (min(first for first, _ in spans), max(last for _, last in spans)) if spans else None


def _counting(
    span: tuple[int, int] | None,
    zone: tzinfo,
    start: str | None,
    end: str | None,
    window: str | None,
    calendar: CalendarUnit | None,
    count_planned: bool,
    service_hours: tuple,
    maintenance: tuple,
    confidence: Fraction,
) -> Counting:
    from hacalc.core.incident_report import Counting, resolve_window
    from hacalc.core.incidents import MICROSECONDS
    from hacalc.core.units import parse_duration

    length = None if window is None else located("--window", parse_duration, window, allow_zero=False)
    first, last = resolve_window(
        span,
        None if start is None else located("--from", _moment, start, zone=zone),
        None if end is None else located("--to", _moment, end, zone=zone, end_of_day=True),
        None if length is None else int(length * MICROSECONDS),
    )
    return Counting(
        start=first,
        end=last,
        zone=zone,
        service_hours=service_hours,
        maintenance=maintenance,
        count_planned=count_planned,
        calendar=None if calendar is None else calendar.value,
        confidence=confidence,
        window_from_data=start is None and end is None and window is None,
    )


def _overlaps(incident: Incident, counting: Counting) -> bool:
    return incident.start < counting.end and (incident.end is None or incident.end > counting.start or incident.start == incident.end == counting.start)


def _moment(text: str, zone: tzinfo, end_of_day: bool = False) -> int:
    from hacalc.readers.timestamps import parse_time

    if text.strip().lower() == "now":
        return time.time_ns() // 1000
    return parse_time(text, zone, end_of_day=end_of_day)


def _warn_about_sources(env: Environment, sources: list[SourceRead]) -> None:
    for source in sources:
        for warning in source.warnings:
            examples = _(" (e.g. {examples})").format(examples=", ".join(warning.examples[:MAX_EXAMPLES_SHOWN])) if warning.examples else ""
            count = f" ({warning.count}×)" if warning.count > 1 else ""
            env.warn(f"{source.name}: {_(warning.message)}{count}{examples}")


# --- output -----------------------------------------------------------------------------------------


def _iso(micros: int) -> str:
    from datetime import timezone

    from hacalc.readers.timestamps import from_micros

    moment = from_micros(micros, timezone.utc)
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds").replace("+00:00", "Z")


def _local(micros: int, zone: tzinfo) -> str:
    from hacalc.readers.timestamps import from_micros

    moment = from_micros(micros, zone)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text


def _seconds(micros: int) -> Fraction:
    from hacalc.core.incidents import MICROSECONDS

    return Fraction(micros, MICROSECONDS)


def _row_label(row: GroupResult) -> str:
    if row.group == "service":
        return _("service {name}").format(name=row.name)
    if row.group == "type":
        return _(TYPE_LABELS[row.name]) if row.name in TYPE_LABELS else _("all {type}").format(type=row.name)
    return _(row.name) if row.group == "all" else row.name


def _percent(value: Availability | None) -> str:
    from hacalc.cli import render

    return "—" if value is None else render.percent(value)


def _row_dict(row: GroupResult, gate: Gate | None) -> dict[str, Any]:
    tally = row.tally
    estimate = row.estimate.as_dict() if row.estimate is not None else {}
    return {
        "group": row.group,
        "name": row.name,
        "objects": tally.objects,
        "counted_seconds": _seconds(tally.period),
        "downtime_seconds": _seconds(tally.downtime),
        "planned_seconds": _seconds(tally.planned),
        "failures": tally.failures,
        "repairs": tally.repairs,
        "operating_seconds": _seconds(tally.period - tally.downtime),
        "availability": None if row.availability is None else row.availability.availability,
        "unavailability": None if row.availability is None else row.availability.unavailability,
        "nines": None if row.availability is None else row.availability.nines,
        "mtbf_seconds": estimate.get("mtbf_seconds"),
        "mttr_seconds": estimate.get("mttr_seconds"),
        "mtbf_bounds": estimate.get("mtbf_bounds", {"lower": None, "upper": None}),
        "mttr_bounds": estimate.get("mttr_bounds", {"lower": None, "upper": None}),
        "availability_bounds": estimate.get("availability_bounds"),
        "demonstrated_nines": estimate.get("demonstrated_nines"),
        "meets_target": _meets(row, gate),
    }


def _period_dict(period: PeriodResult, gate: Gate | None) -> dict[str, Any]:
    return {
        "label": period.label,
        "start": _iso(period.start),
        "end": _iso(period.end),
        "groups": [_row_dict(row, gate) for row in period.groups],
    }


def _counting_dict(counting: Counting) -> dict[str, Any]:
    return {
        "start": _iso(counting.start),
        "end": _iso(counting.end),
        "seconds": counting.seconds(),
        "from_data": counting.window_from_data,
        "tz": str(counting.zone),
        "calendar": counting.calendar,
        "service_hours": [window.text for window in counting.service_hours],
        "maintenance": [window.text for window in counting.maintenance],
        "count_planned": counting.count_planned,
        "confidence": counting.confidence,
    }


def _json(report: IncidentsReport, sources: list[SourceRead], gate: Gate | None, check: str | None, failing: list) -> dict[str, Any]:
    whole, *calendar = report.periods
    return {
        "window": _counting_dict(report.counting),
        "target": None if gate is None else gate.target.availability,
        "check": check,
        "passed": None if check is None else not failing,
        "sources": [source.as_dict() for source in sources],
        "incidents": report.incidents_used,
        "groups": [_row_dict(row, gate) for row in whole.groups],
        "periods": [_period_dict(period, gate) for period in calendar],
    }


def _csv_rows(report: IncidentsReport, gate: Gate | None):
    for period in report.periods:
        for row in period.groups:
            data = _row_dict(row, gate)
            bounds = data["availability_bounds"] or {"lower": None, "upper": None}
            yield (
                period.label, _iso(period.start), _iso(period.end), data["group"], data["name"], data["objects"],
                data["counted_seconds"], data["downtime_seconds"], data["planned_seconds"], data["failures"],
                data["repairs"], data["availability"], data["unavailability"], data["nines"], data["mtbf_seconds"],
                data["mtbf_bounds"]["lower"], data["mtbf_bounds"]["upper"], data["mttr_seconds"],
                data["mttr_bounds"]["lower"], data["mttr_bounds"]["upper"], bounds["lower"], bounds["upper"],
                data["demonstrated_nines"], data["meets_target"],
            )


def _write_tables(env: Environment, report: IncidentsReport, sources: list[SourceRead], gate: Gate | None) -> None:
    from hacalc.cli import render

    counting = report.counting
    whole, *calendar = report.periods
    confidence = f"{float(counting.confidence) * 100:g}%"
    counted, mtbf, mttr = _("counted"), _("MTBF"), _("MTTR")
    mtbf_bounds, mttr_bounds = _("MTBF {confidence}").format(confidence=confidence), _("MTTR {confidence}").format(confidence=confidence)
    availability_bounds = _("availability {confidence}").format(confidence=confidence)
    columns = (
        _("object or group"), counted, _("down"), _("availability"), _("nines"), _("failures"), mtbf, mttr,
        mtbf_bounds, mttr_bounds, availability_bounds, _("demonstrated nines"),
    ) + ((_("target"),) if gate is not None else ())
    write_table(
        env,
        columns,
        [_table_row(row, gate) for row in whole.groups],
        title=_("Incidents: {window}").format(window=_window_text(counting)),
        caption="\n".join(_notes(report, sources, confidence)),
        optional=(mttr_bounds, mtbf_bounds, counted, availability_bounds, mttr, mtbf),
    )
    if calendar:
        write_table(
            env,
            (_("period"), *columns[:6], availability_bounds, *columns[12:]),
            [(period.label, *(cells := _table_row(row, gate))[:6], cells[10], *cells[12:]) for period in calendar for row in period.groups],
            title=_("By {period} ({zone})").format(period=render.period_label(counting.calendar), zone=counting.zone),
            justify=("left", "left", *["right"] * (len(columns) - 5)),
            optional=(availability_bounds, counted),
        )


def _window_text(counting: Counting) -> str:
    from hacalc.cli import render
    from hacalc.core.periods import DEFAULT_CONVENTIONS

    length = render.duration(counting.seconds(), DEFAULT_CONVENTIONS, trim=True)
    text = f"{_local(counting.start, counting.zone)} → {_local(counting.end, counting.zone)} {counting.zone} ({length})"
    return text + (_(", the span of the data") if counting.window_from_data else "")


def _table_row(row: GroupResult, gate: Gate | None) -> tuple[str, ...]:
    from hacalc.cli import render
    from hacalc.core.periods import DEFAULT_CONVENTIONS
    from hacalc.core.units import format_duration_roughly

    def show(seconds: Any) -> str:
        return "—" if seconds is None else render.duration(Fraction(seconds), DEFAULT_CONVENTIONS, trim=True)

    def rough(seconds: Any) -> str:
        return "—" if seconds is None else format_duration_roughly(Fraction(seconds))

    def interval(bounds: Any) -> str:
        if bounds is None or (bounds.lower is None and bounds.upper is None):
            return "—"
        return f"{rough(bounds.lower)} – {'∞' if bounds.upper is None else rough(bounds.upper)}"

    tally, estimate = row.tally, row.estimate
    failures = str(tally.failures) + (_(" ({count} open)").format(count=tally.failures - tally.repairs) if tally.repairs < tally.failures else "")
    availability_bounds = "—"
    if estimate is not None and estimate.availability_bounds is not None:
        lower, upper = estimate.availability_bounds
        availability_bounds = f"{render.percent(lower)} – {render.percent(upper)}"
    meets = _meets(row, gate)
    return (
        _row_label(row),
        show(_seconds(tally.period)),
        show(_seconds(tally.downtime)),
        _percent(row.availability),
        "—" if row.availability is None else render.nines_text(row.availability),
        failures,
        rough(None if estimate is None else estimate.mtbf),
        rough(None if estimate is None else estimate.mttr),
        interval(None if estimate is None else estimate.mtbf_bounds),
        interval(None if estimate is None else estimate.mttr_bounds),
        availability_bounds,
        "—" if estimate is None or estimate.demonstrated_nines is None else f"{estimate.demonstrated_nines:.2f}",
    ) + (() if gate is None else ("—" if meets is None else (_("meets") if meets else _("BELOW")),))


def _notes(report: IncidentsReport, sources: list[SourceRead], confidence: str) -> list[str]:
    counting = report.counting
    counted = []
    if counting.service_hours:
        counted.append(_("service hours {hours}").format(hours="; ".join(window.text for window in counting.service_hours)))
    if counting.maintenance:
        shown = "; ".join(window.text for window in counting.maintenance)
        counted.append((_("maintenance {windows} counted") if counting.count_planned else _("maintenance {windows} left out")).format(windows=shown))
    counted.append(_("planned time counted") if counting.count_planned else _("planned time left out (--count-planned counts it)"))
    notes = [
        _("Counted: {counted}; overlapping outages of an object merged.").format(counted=", ".join(counted)),
        _(
            "Bounds at {confidence}, two-sided: MTBF χ² (time-terminated, 2r+2 d.o.f.; one-sided lower bound when r = 0), "
            "MTTR χ² (exponential repairs), availability F(2r, 2r) (Keesee while an outage is open); "
            "demonstrated nines = nines of the lower availability bound."
        ).format(confidence=confidence),
    ]
    for source in sources:
        notes.append(_source_note(source))
    return notes


def _source_note(source: SourceRead) -> str:
    """What was read from one input, and what of it was not used."""
    incidents = source.incident_count()
    read = (_("Read {name} ({format}): {lines} lines, {used} used, 1 incident") if incidents == 1 else
            _("Read {name} ({format}): {lines} lines, {used} used, {incidents} incidents"))
    text = read.format(name=source.name, format=source.input_format, lines=source.lines_read, used=source.lines_used, incidents=incidents)
    if unused := sum(source.unused_events.values()):
        common = ", ".join(f"{count} {kind}" for kind, count in source.unused_events.most_common(MAX_EXAMPLES_SHOWN))
        more = ", …" if len(source.unused_events) > MAX_EXAMPLES_SHOWN else ""
        text += _("; {unused} events not used ({common})").format(unused=unused, common=common + more)
    return _("{sentence}.").format(sentence=text)


def _write_incidents(env: Environment, records: list[Incident], zone: tzinfo, output_format: OutputFormat) -> None:
    """The incidents themselves: an audit trail, and an incident list hacalc reads back (CSV)."""
    ordered = sorted(records, key=lambda incident: (incident.start, incident.object))
    extra_columns = list(dict.fromkeys(column for incident in ordered for column, _ in incident.extra))
    rows = [
        (
            incident.object,
            _iso(incident.start),
            None if incident.end is None else _iso(incident.end),
            "planned" if incident.planned else "unplanned",
            incident.service,
            incident.object_type,
            None if incident.end is None else _seconds(incident.end - incident.start),
            incident.note,
            incident.origin,
        )
        for incident in ordered
    ]
    extras = [dict(incident.extra) for incident in ordered]
    if output_format is OutputFormat.json:
        write_json(env, {"incidents": [{**dict(zip(INCIDENT_COLUMNS, row)), "extra": extra} for row, extra in zip(rows, extras)]})
    elif output_format is OutputFormat.csv:
        write_csv(env, (*INCIDENT_COLUMNS, *extra_columns), (row + tuple(extra.get(column) for column in extra_columns) for row, extra in zip(rows, extras)))
    else:
        from hacalc.cli import render
        from hacalc.core.periods import DEFAULT_CONVENTIONS

        note, origin = _("note"), _("from")
        write_table(
            env,
            (_("object"), _("start"), _("end"), _("down"), _("kind"), note, origin),
            [
                (
                    incident.object,
                    _local(incident.start, zone),
                    _("open") if incident.end is None else _local(incident.end, zone),
                    "—" if incident.end is None else render.duration(_seconds(incident.end - incident.start), DEFAULT_CONVENTIONS, trim=True),
                    _("planned") if incident.planned else _("unplanned"),
                    incident.note or "",
                    incident.origin,
                )
                for incident in ordered
            ],
            title=_("{count} incidents ({zone})").format(count=len(ordered), zone=zone),
            justify=("left", "left", "left", "right", "left", "left", "left"),
            prose=(note, origin),
        )


def register(app: typer.Typer) -> None:
    app.command("incidents", help=command_help(incidents))(incidents)
