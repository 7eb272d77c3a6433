"""The roster's fixed numbers and rule names: calendar and rule limits (minutes, days, hours),
what makes a shift early, late or night, the objective weights and each solve phase's share of
the time, and the hard rules as `Roster.violated_rules` and `Roster.binding` name them.

Only constants live here; every other roster module reads them.
"""

from __future__ import annotations

MAX_WEEKS = 4
MIN_REST_MIN = 11 * 60
MAX_DAYS_IN_ROW = 5
WORK_DAYS_PER_WEEK = 5
MAX_HOURS_IN_WEEK = 168.0
WEEKEND = (5, 6)  # Saturday, Sunday (Monday = 0)
NIGHT_FROM_MIN, NIGHT_TO_MIN = 22 * 60, 6 * 60  # the night window, 22:00 .. 06:00
NIGHT_MIN_OVERLAP_MIN = 3 * 60  # a night shift has at least this much of itself in the window
EARLY_BEFORE_MIN = 10 * 60  # an early shift starts before 10:00
LATE_FROM_MIN = 12 * 60  # a late shift starts at or after 12:00
SHIFT_KINDS = ("early", "late", "night")

# Objective weights, integers, in lexicographic order: a missing agent-shift outweighs any hours
# shortfall of one shift (8 h = 4.8e6), which outweighs the balance of what stays unfilled. The
# roster is solved in two phases (coverage, then fairness and preferences), see `build_roster`.
W_UNFILLED = 10_000_000  # per missing agent-shift
W_SHORT = 10_000  # per paid minute below an agent's weekly minimum
W_BALANCE = 1  # per mille of the largest share of missing agents among a group's shift classes
W_FAIR = 10  # per unit of a group's largest weekend/night count and per unit of its spread
W_SMOOTH = 2  # per shift an agent's weekend/night count lies outside the group's average band
W_PREF = 1  # per shift matching none of the agent's preferences
PHASE1_SHARE = 0.5  # of the time limit, at most, for the first (coverage) solve
MIN_PHASE2_S = 0.5  # the second solve gets at least this (s), hinted with the first's roster

HARD_RULES = {
    "coverage": "every plan shift on every rostered day gets `count` agents of its group",
    "one_shift_per_day": "at most one shift a day per agent, of the agent's group",
    "rest_11h": "at least 11 h between the end of one shift and the start of the next",
    "max_consecutive_days": f"at most {MAX_DAYS_IN_ROW} working days in a row",
    "two_days_off": "two consecutive days off in every rostered week",
    "max_hours_week": "weekly paid hours at most the agent's maximum",
    "min_hours_week": "weekly paid hours at least the agent's minimum",
    "unavailable": "no work on the agent's unavailable days",
}
# Rules whose relaxation may fill more shifts: tried one at a time when shifts stay unfilled.
RELAXABLE = ("rest_11h", "max_consecutive_days", "two_days_off", "max_hours_week", "unavailable")
