"""The drill timeline figure: what the incident did to the centre and when each lever came in.

Data in (a ``wfm drill`` JSON document), a matplotlib `Figure` out (`report.export.figure_bytes`
renders it as PNG or PDF). Three panels share the time axis (minutes from the incident's start):
contacts per 5 minutes, the queue and the agents on duty, and the 30-minute rolling service
level with the recovery target. The incident is shaded (its decay lighter), each lever's mean
start is a dashed line, the report and response targets dotted ones.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

LEVER_COLOURS = {
    "ivr_announcement": "tab:purple",
    "reserve": "tab:green",
    "overflow": "tab:orange",
    "callback": "tab:brown",
    "suspend_breaks": "tab:pink",
    "report": "black",
}


def timeline_figure(document: dict[str, Any]) -> Figure:
    """The timeline of `document` (the run of the incident's own response)."""
    rows = document["timeline"]
    minutes = [r["minute"] for r in rows]
    fig = Figure(figsize=(10, 8), layout="constrained")
    contacts, queue, level = fig.subplots(3, 1, sharex=True)
    contacts.plot(minutes, [r["offered"] for r in rows], label="offered", color="tab:blue")
    contacts.plot(minutes, [r["answered"] for r in rows], label="answered", color="tab:green")
    contacts.plot(minutes, [r["abandoned"] for r in rows], label="abandoned", color="tab:red")
    if any(r["ivr_deflected"] for r in rows):
        contacts.plot(minutes, [r["ivr_deflected"] for r in rows], label="hung up at the IVR",
                      color="tab:purple", linestyle=":")  # fmt: skip
    contacts.set_ylabel("contacts per 5 min")
    queue.plot(minutes, [r["queue"] for r in rows], label="waiting", color="tab:red")
    queue.plot(minutes, [r["agents"] for r in rows], label="agents on duty", color="tab:gray")
    queue.set_ylabel("contacts / agents")
    level.plot(minutes, [_percent(r["service_level"]) for r in rows], color="tab:blue",
               label="service level, 30-min rolling")  # fmt: skip
    level.set_ylabel("service level (%)")
    level.set_ylim(0, 105)
    level.set_xlabel("minutes from the incident's start")
    for target in document["targets"]:
        if target["metric"] == "recover_min":
            recover = document["recover_level"]
            level.axhline(100 * recover, color="tab:green", linestyle="--", linewidth=1,
                          label=f"recovery target {recover:.0%}")  # fmt: skip
            level.axvline(target["value"], color="tab:green", linestyle=":", linewidth=1)
        elif target["metric"] in ("report_min", "respond_min"):
            for axis in (contacts, queue, level):
                axis.axvline(target["value"], color="black", linestyle=":", linewidth=0.8)
    for axis in (contacts, queue, level):
        axis.axvspan(0, document["duration_min"], color="tab:red", alpha=0.08)
        axis.axvspan(document["duration_min"], document["over_min"], color="tab:red", alpha=0.04)
        for lever, times in document["levers"].items():
            start = times["start_min"]["mean"]
            if start is not None:  # the levers are named in the top panel's legend only
                axis.axvline(start, color=LEVER_COLOURS.get(lever, "gray"), linestyle="--",
                             linewidth=1, label=lever.replace("_", " ") if axis is contacts
                             else None)  # fmt: skip
        axis.grid(alpha=0.3)
        axis.legend(loc="upper right", fontsize=7, ncols=2)
    title = (
        f"{document['incident']} ({document['kind'].replace('_', ' ')}, grade "
        f"{document['grade']}): {document['replications']} replications, means"
    )
    fig.suptitle(title, fontsize=11)
    return fig


def _percent(value: float | None) -> float:
    return float("nan") if value is None else 100 * value
