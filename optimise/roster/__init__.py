"""Rostering: named agents on the shifts of a staffing plan over 1 to 4 weeks, with CP-SAT.

The plan (the ``shifts`` rows of ``wfm optimise``) covers one week and repeats every rostered
week: a row ``{"group", "template", "day", "start", "count", "length_h", "paid_h", "breaks"}``
asks for `count` agents of `group` on that shift on plan day `day` (0..6) of every week. The
roster decides which agent works which of those shifts.

Days. Roster day ``d`` (0-based over the whole roster, ``0 .. 7 * weeks - 1``) is plan day
``d % 7`` of week ``d // 7``; its weekday is ``(first_weekday + d) % 7`` with Monday = 0 (day 0
is a Monday unless told otherwise). A shift belongs to the day it starts on, also when it crosses
midnight; an agent's *day off* is a day on which no shift of theirs starts. Rostered weeks are
the 7-day blocks from day 0 (Mon..Sun with the default start). A shift's paid hours count in the
week it starts in. The roster knows nothing of the days before it: the rest and consecutive-day
rules start afresh on day 0, unless the roster is `cyclic` (it then repeats, its last day
running into its first).

Hard rules (named as in `Roster.violated_rules` and `Roster.binding`):

- ``coverage``: every plan shift on every rostered day gets `count` agents of its group (never
  more); made soft with a large penalty per missing agent-shift so that a roster always exists;
- ``one_shift_per_day``: at most one shift a day per agent, and only shifts of the agent's group;
- ``rest_11h``: at least 11 h between the end of one shift and the start of the next, across
  midnight and from one week into the next;
- ``max_consecutive_days``: at most 5 working days in a row;
- ``two_days_off``: two consecutive days off inside every rostered week;
- ``max_hours_week`` / ``min_hours_week``: weekly paid hours within the agent's bounds (the
  minimum is soft with a large penalty per hour short: a plan may not hold enough work);
- ``unavailable``: no shift starts on a day the agent is unavailable.

Soft terms, in decreasing weight: fair shares of weekend shifts (starting on a Saturday or a
Sunday) and of night shifts (at least 3 h of the shift between 22:00 and 06:00, breaks included):
within each group the largest per-agent count over the roster, plus the spread between the
largest and the smallest count, is minimised; then preferences (a penalty per shift that matches
none of the agent's preferred templates or kinds: ``early`` starts before 10:00, ``late`` starts
at or after 12:00, ``night`` as above; early and late exclude night). There is no term for equal
workloads: the weekly hour bounds are the lever for that.

Solving. A quick day-by-day roster that meets every hard rule (staggered days off, each shift to
the agents who worked least) starts the search. Phase 1 minimises the missing agent-shifts, then
the hours below the weekly minimums, then the largest share of missing agents among a group's
weekday, weekend and night shifts (so that what stays unfilled is spread rather than all nights).
Phase 2 keeps those totals and minimises the fairness and preference terms. Plan rows that differ
only in their breaks are one shift for the model; their break placements are handed out after.

When some shifts stay unfilled, the roster is ``partial`` and the model is solved again with one
rule relaxed at a time (coverage only) to say which rules are *binding*: relaxing them alone
would fill more agent-shifts. ``headcount`` is binding when even with all those rules relaxed a
group has more shifts on a day than agents.

Privacy: agent names appear only in a roster built without `pseudonymise`; with it, every output
(assignments, per-agent summaries, notes, JSON) carries `pseudonym` IDs instead. Errors name
agents by their position (``agents[3]``) or CSV row, never by name.

The code is split by idea into the modules of this package, which exports the public names:
`rules` (the fixed numbers and rule names), `types` (`Agent`, `Roster`,
`RosterInputError`, the plan slot), `inputs` (agents from CSV or generated, plan slots,
the checked problem), `model` (the CP-SAT model, one builder per rule, and one solve),
`greedy` (the quick roster and the hint), `solve` (`build_roster` and its two
phases), `result` (a solution as a `Roster`) and `diagnosis` (which rules bind).
"""

from optimise.roster.inputs import generate_agents, read_agents_csv
from optimise.roster.solve import build_roster
from optimise.roster.types import Agent, Roster, RosterInputError, is_night, pseudonym

__all__ = [
    "Agent",
    "Roster",
    "RosterInputError",
    "build_roster",
    "generate_agents",
    "is_night",
    "pseudonym",
    "read_agents_csv",
]
