"""The plain-text summaries the CLI prints: of a scenario's review (`wfm validate`), a
simulation (`wfm simulate`) and an optimised plan (`wfm optimise`)."""

from __future__ import annotations

from typing import Any

from report.text import stat_text
from scenarios.review import Review, duration_text


def simulation_summary(document: dict[str, Any]) -> str:
    """A readable table of a ``wfm simulate`` JSON document: per contact type and tier the
    volume offered, the service level against its target with its 95 % interval, abandonment
    and ASA; then occupancy per agent group."""
    targets = {(t["contact_type"], t["tier"]): t for t in document["targets"]}
    reps = document["replications"]
    lines = [
        f"{document['scenario']}: {reps} replication{'s' if reps > 1 else ''}, "
        f"seed {document['seed']} (means over replications, 95 % interval in brackets)",
        "",
        f"{'contact type / tier':<22}{'offered':>10}  {'service level':<22}{'target':<30}"
        f"{'verdict':<10}{'abandon':>8}{'ASA':>9}",
    ]
    for name, kpi in document["contact_types"].items():
        lines.append(_row(name, kpi, targets.get((name, None))))
        for tier, tier_kpi in kpi["tiers"].items():
            lines.append(_row(f"  {tier}", tier_kpi, targets.get((name, tier))))
    lines += ["", f"{'agent group':<22}{'occupancy':<22}{'agent-hours':>12}"]
    for name, kpi in document["agent_groups"].items():
        hours = kpi["agent_hours"]["mean"]
        lines.append(f"{name:<22}{stat_text(kpi['occupancy']):<22}{hours:>12,.0f}")
    scoped = [t for t in document["targets"] if t["scope"] != "horizon"]
    if scoped:
        lines += ["", "targets judged per day or interval (the rows above show the horizon):"]
    for t in scoped:
        who = t["contact_type"] + (f" / {t['tier']}" if t["tier"] else "")
        lines.append(
            f"  {who}: every {t['scope']} >= {t['service_level']:.0%} in "
            f"{t['answer_within_s']:g} s: {t['periods_met']} of {t['periods']} at or above on "
            f"the point estimate; worst {stat_text(t['achieved'])} ({_worst_text(t)})"
        )
    if document["targets"]:
        lines += ["", verdicts_summary(document["targets"])]
    return "\n".join(lines)


def verdicts_summary(targets: list[dict[str, Any]]) -> str:
    """Each target's verdict, how sure it is and the room the worst period leaves, under
    the decision rule the verdicts were taken with (`sim.verdict`)."""
    rule = targets[0]["decision"]
    lines = [
        f"verdicts (one-sided {100 * rule['confidence']:g} % over each target's periods; met: "
        f"every period's expected level at least the target less "
        f"{100 * rule['tolerance']:g} points; missed: not met and some period significantly "
        "under the target):"
    ]
    for t in targets:
        who = t["contact_type"] + (f" / {t['tier']}" if t["tier"] else "")
        goal = f">= {t['service_level']:.0%} in {t['answer_within_s']:g} s"
        if t["scope"] != "horizon":
            goal += f" each {t['scope']}"
        room = "" if t["room"] is None else f"room {100 * t['room']:+.1f} points"
        if t["scope"] != "horizon" and room:
            room += f" ({_worst_text(t)})"
        lines.append(f"  {who:<20}{goal:<32}{verdict_text(t):<44}{room}")
    met = sum(t["verdict"] == "met" for t in targets)
    undecided = sum(t["verdict"] == "undecided" for t in targets)
    tail = f"; {undecided} undecided" if undecided else ""
    lines.append(f"targets met: {met} of {len(targets)}{tail}")
    return "\n".join(lines)


def met_count_text(targets: list[dict[str, Any]]) -> str:
    """The "k of n targets met" line, with how many are undecided (too few replications)."""
    met = sum(t["verdict"] == "met" for t in targets)
    undecided = sum(t["verdict"] == "undecided" for t in targets)
    tail = f" ({undecided} undecided)" if undecided else ""
    return f"{met} of {len(targets)} targets met{tail}"


def verdict_text(target: dict[str, Any]) -> str:
    """A target's verdict as a planner reads it: "met (99.3 % sure)", "MISSED (99.9 % sure)"
    or "undecided: needs 160 replications (40 run)"."""
    if target["verdict"] == "undecided":
        return (
            f"undecided: needs {target['replications_needed']:,} replications "
            f"({target['replications']:,} run)"
        )
    word = "met" if target["verdict"] == "met" else "MISSED"
    return f"{word} ({_pct(target['confidence'])} sure)"


def _worst_text(target: dict[str, Any]) -> str:
    worst = target["worst"]
    return f"day {worst['day']}" + (f" {worst['start']}" if "start" in worst else "")


def _row(label: str, kpi: dict[str, Any], target: dict[str, Any] | None) -> str:
    within = f"{kpi['answer_within_s']:g} s"
    if target is None:
        goal, verdict = f"(none; {within})", ""
    else:
        goal = f">= {target['service_level']:.0%} in {within}"
        if target["scope"] != "horizon":
            goal = f"{goal} each {target['scope']}"
        verdict = {"met": "met", "missed": "MISSED"}.get(target["verdict"], "undecided")
    offered = kpi["offered"]["mean"]
    asa = kpi["asa_s"]["mean"]
    return (
        f"{label:<22}{offered:>10,.0f}  {stat_text(kpi['service_level']):<22}{goal:<30}"
        f"{verdict:<10}{_pct(kpi['abandon_rate']['mean']):>8}"
        f"{'-' if asa is None else f'{asa:.1f} s':>9}"
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def optimisation_summary(document: dict[str, Any]) -> str:
    """A readable account of a ``wfm optimise`` JSON document: status, cost against the lower
    bound, agent-hours, the shifts by template, and the targets as verified in simulation."""
    if document["cost"] is None:
        return f"optimise: {document['status']}: {document['message'] or 'no plan'}"
    gap = document["gap"]
    lines = [
        f"status {document['status']}: cost {document['cost']:,.2f} "
        f"(LP lower bound {document['lower_bound']:,.2f}, gap {_pct(gap)}), "
        f"{document['agent_hours']:,.1f} agent-hours, solved in {document['solve_time_s']:.1f} s",
    ]
    per_template: dict[tuple[str, str], int] = {}
    for row in document["shifts"]:
        key = (row["group"], row["template"])
        per_template[key] = per_template.get(key, 0) + row["count"]
    lines += ["", f"{'agent group':<22}{'template':<16}{'shifts':>8}"]
    lines += [f"{g:<22}{t:<16}{n:>8,}" for (g, t), n in sorted(per_template.items())]
    if document["unmet"]:
        lines += ["", f"intervals left short: {len(document['unmet'])} (see `unmet`)"]
    for number, entry in enumerate(document["rounds"], start=1):
        if number == 1:
            lines += [
                "",
                "rounds (start: the analytic requirement; cut: the cheapest plan the cuts "
                "admit; prove: the start checked when nothing cheaper is admitted; verify: an "
                "independent seed):",
            ]
        counts = ", ".join(f"{n} {v}" for v, n in entry["verdicts"].items() if n)
        lines.append(
            f"  {entry['round']:>2} {entry['kind']:<6} cost {entry['cost']:>12,.2f}  "
            f"{entry['agent_hours']:>10,.1f} h  {entry['replications']:>4} replications  "
            f"targets: {counts}"
        )
    if document.get("stop_reason"):
        lines.append(f"stopped: {document['stop_reason']}")
    if document.get("cut_bound") is not None:
        lines.append(
            "the cheapest plan every cut admits (a bound where the levels are concave): "
            f"{document['cut_bound']:,.2f}"
        )
    verification = document["verification"]
    if verification is None:
        lines += ["", "not verified in simulation (the requirement was given)"]
    else:
        lines += ["", "verified with an independent seed:", simulation_summary(verification)]
        lines.append(f"every target met: {'yes' if document['targets_met'] else 'NO'}")
    reserve = document.get("reserve")
    if reserve:
        lines += [
            "",
            f"standby reserve for the surge targets (on-call cost {reserve['cost']:,.2f}):",
        ]
        for name, group in reserve["groups"].items():
            if group["agents"] is None:
                lines.append(f"  {name}: out of reach (no reserve size meets the targets)")
                continue
            lines.append(
                f"  {name}: {group['agents']} on call at {group['cost_factor']:g} of the pay, "
                f"active {group['activation_delay_min']:g} min after detection"
            )
        for name, incident in reserve["incidents"].items():
            sized = "met" if incident["sized_targets_met"] else "MISSED"
            every = "met" if incident["targets_met"] else "MISSED"
            lines.append(
                f"  {name}: recovery and abandonment {sized} with the reserve; "
                f"all its targets {every}"
            )
    return "\n".join(lines)


_SCOPE = {"horizon": "over the horizon", "day": "every day", "interval": "every interval"}


def validation_summary(review: Review) -> str:
    """A readable account of a scenario's `Review`: weekly volume and peak load per channel,
    the targets with their sources, how many figures cite which source, then the warnings."""
    lines = [
        f"{'channel':<14}{'kind':<9}{'contacts/week':>14}{'after behaviour':>17}"
        f"{'peak load':>20}  {'at':<20}{'workload/week':>14}",
    ]
    for c in review.channels:
        peak = "deferred" if c.kind == "email" else f"{c.peak_erlangs:,.1f} Erlangs"
        at = "" if c.kind == "email" else c.peak_at
        lines.append(
            f"{c.name:<14}{c.kind:<9}{c.weekly_given:>14,.0f}{c.weekly_offered:>17,.0f}"
            f"{peak:>20}  {at:<20}{c.weekly_workload_h:>12,.0f} h"
        )
    lines.append(
        f"peak live load of the centre: {review.peak_erlangs:,.1f} Erlangs (agents busy, chat "
        f"at its concurrency) at {review.peak_at}"
    )
    if review.targets:
        lines += ["", "targets:"]
    for t in review.targets:
        lines.append(
            f"  {t.who:<26} >= {t.service_level:.0%} within {duration_text(t.answer_within_s):<8}"
            f" {_SCOPE[t.scope]:<17}source: {t.source or '(none given)'}"
        )
    if review.incidents:
        lines += ["", "incidents:"] + [f"  {line}" for line in review.incidents]
    cited = ", ".join(f"{name} {count}" for name, count in sorted(review.sources.items()))
    lines += ["", f"sources: {sum(review.sources.values())} mappings name one ({cited or 'none'})"]
    if review.unsourced:
        shown = ", ".join(review.unsourced[:3]) + (", ..." if len(review.unsourced) > 3 else "")
        lines.append(f"  {len(review.unsourced)} mappings with figures name none: {shown}")
    if review.warnings:
        lines += ["", f"warnings ({len(review.warnings)}):"]
        lines += [f"  - {w}" for w in review.warnings]
    else:
        lines += ["", "no warnings"]
    return "\n".join(lines)


_SCORE_LABELS = {
    "detect_min": "detected (min)",
    "report_min": "reported (min)",
    "respond_min": "responded (min)",
    "recover_min": "recovered (min)",
    "lost_contacts": "contacts lost",
    "abandon_rate": "abandon rate",
    "peak_queue": "peak queue",
    "peak_wait_s": "peak wait (s)",
}


def drill_summary(document: dict[str, Any]) -> str:
    """The scorecard of a ``wfm drill`` JSON document, one column per response plan (the
    incident's own first), then each incident target met or missed, and the levers."""
    plans = {"as given": document, **document["plans"]}
    reps = document["replications"]
    width = 26
    lines = [
        f"{document['incident']} ({document['kind'].replace('_', ' ')}, grade "
        f"{document['grade']}) on {document['scenario']}: {reps} replication"
        f"{'s' if reps > 1 else ''}, seed {document['seed']} (means, 95 % interval; minutes "
        "from the start)",
        "",
        f"{'scorecard':<24}" + "".join(f"{name:<{width}}" for name in plans),
    ]
    for key, label in _SCORE_LABELS.items():
        cells = [_score(plan["scorecard"][key], key) for plan in plans.values()]
        lines.append(f"{label:<24}" + "".join(f"{c:<{width}}" for c in cells))
    lines.append(
        f"{'recovered in':<24}"
        + "".join(f"{_share(p['recovered_share'], reps):<{width}}" for p in plans.values())
    )
    lines += ["", f"{'incident targets':<24}" + "".join(f"{n:<{width}}" for n in plans)]
    for k, target in enumerate(document["targets"]):
        label = f"{target['metric']} <= {_figure(target['value'], target['metric'])}"
        verdicts = ["met" if plan["targets"][k]["met"] else "MISSED" for plan in plans.values()]
        lines.append(f"{label:<24}" + "".join(f"{v:<{width}}" for v in verdicts))
    if not document["targets"]:
        lines.append("  (the incident sets no targets)")
    lines += ["", "levers (mean start and end, minutes from the start):"]
    for name, plan in plans.items():
        used = [
            f"{lever} {_number(t['start_min']['mean'])}"
            + (f"-{_number(t['end_min']['mean'])}" if t["end_min"] else "")
            for lever, t in plan["levers"].items()
        ]
        lines.append(f"  {name}: {', '.join(used) if used else 'none'}")
    return "\n".join(lines)


def _score(value: dict[str, float | None], key: str) -> str:
    if key == "abandon_rate":
        return stat_text(value)
    return stat_text(value, percent=False, digits=None)


def _figure(value: float, key: str) -> str:
    return _pct(value) if key == "abandon_rate" else _number(value)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _share(share: float, replications: int) -> str:
    return f"{round(share * replications)} of {replications}"


def runs_summary(rows: list[dict[str, Any]]) -> str:
    """The kept runs, newest first (`runs.store.list_runs`)."""
    if not rows:
        return "no runs kept yet"
    lines = [f"{'id':<13}{'when (UTC)':<21}{'command':<10}{'seed':>6}  scenario"]
    for r in rows:
        when = r["created_at"].strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{r['id']:<13}{when:<21}{r['command']:<10}{r['seed']:>6}  {r['scenario']}")
    return "\n".join(lines)


def run_summary(run: dict[str, Any]) -> str:
    """One kept run (`runs.store.get_run`): who, what, with which parameters, its KPIs."""
    params = ", ".join(
        f"{k}={v}" for k, v in run["params"].items() if v is not None and v is not False and v != []
    )
    where = run["scenario_file"] or "from the app"
    lines = [
        f"run {run['id']}: {run['command']} of {run['scenario']} ({where}), "
        f"seed {run['seed']}, {run['created_at']:%Y-%m-%d %H:%M:%S} UTC, wfm {run['code_version']}",
        f"scenario sha256 {run['scenario_sha256']}",
        f"parameters: {params or '-'}",
        f"{run['intervals']} interval rows kept"
        + (f"; plan of {len(run['plan']['shifts'])} shift rows" if run["plan"] else ""),
        "",
        f"{'KPI':<44}{'mean':>14}  95 % interval",
    ]
    for name, kpi in run["kpis"].items():
        low, high = kpi["ci95_low"], kpi["ci95_high"]
        band = "" if low is None else f"[{_value(low)} - {_value(high)}]"
        lines.append(f"{name:<44}{_value(kpi['mean']):>14}  {band}")
    return "\n".join(lines)


def comparison_summary(first: str, second: str, rows: list[dict[str, Any]]) -> str:
    """Two runs' KPIs side by side with the difference (`runs.store.compare_runs`)."""
    lines = [f"{'KPI':<44}{first:>14}{second:>14}{'difference':>14}"]
    for r in rows:
        cells = (_value(r["first"]), _value(r["second"]), _signed(r["difference"]))
        lines.append(f"{r['name']:<44}" + "".join(f"{c:>14}" for c in cells))
    return "\n".join(lines)


def _signed(value: float | None) -> str:
    return "-" if value is None else ("+" if value > 0 else "") + _value(value)


def _value(value: float | None) -> str:
    """A KPI: thousands whole, smaller figures to four significant digits."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def sweep_summary(document: dict[str, Any]) -> str:
    """The grid of a sweep: one line per point (its values, cost, service level or abandon rate,
    targets met), the frontier's points starred."""
    incident = document["incident"]
    judged = "abandon rate" if incident else "service level"
    axes = list(document["axes"])
    lines = [
        f"{document['scenario']}: {len(document['points'])} points, "
        f"{document['replications']} replications each, seed {document['seed']}"
        + (f", incident {incident}" if incident else ""),
        "",
        "".join(f"{a:>14}" for a in axes)
        + f"{'agent-hours':>13}{'cost':>13}{judged:>15}"
        + f"{'targets':>9}  frontier",
    ]
    for p in document["points"]:
        kpi = p["abandon_rate"] if incident else p["service_level"]
        lines.append(
            "".join(f"{p['values'][a]:>14g}" for a in axes)
            + f"{p['agent_hours']:>13,.0f}{_value(p['cost']):>13}{_pct(kpi['mean']):>15}"
            + f"{p['targets_met']:>4} of {p['targets']:<2}  {'*' if p['on_frontier'] else ''}"
        )
    return "\n".join(lines)
