"""A centre's interval history, as its ACD exports it, read and checked: one `Series` per contact
type on a grid of whole days.

The CSV has one row per interval and contact type: ``interval_start`` (``YYYY-MM-DD HH:MM``)
and ``offered``, optionally ``contact_type`` (absent: one series), ``answered``, ``abandoned``,
``handle_time_s`` (mean over the interval's answered contacts), ``asa_s`` (mean wait of the
answered) and ``abandon_time_s`` (mean wait of those who abandoned). Other columns are ignored
and listed. Any interval length that divides a day; a coarser `interval_min` sums the counts
and weights the means by their counts.

What is refused, in one line naming the file, the line and the field: a value that is not a
number, an empty ``offered``, a negative count, ``answered + abandoned`` above ``offered``, an
interval start off the history's grid, a row given twice, under two weeks of history.

What is reported and handled: *gaps*, intervals with no row inside the history. They are never
taken as zero calls: a missing interval is filled with the mean of the same interval on the
nearest (up to four) earlier same weekdays that have it (`fill_gaps`), for the models only, and
left out of every accuracy figure (`Series.observed`). An interval of the day that no row ever
gives is taken as closed (zero): an export may leave closed hours out. A day at either end of
the history that lacks slots other days give is left out of the series (the forecast then
starts with the rest of the last one).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.safe_read import ScenarioError, read_text
from scenarios.schema import DAY_MIN

# The ten months of the bank's 6-minute history are 1.5 MB; a year of 96 intervals a day for
# fifty contact types is about 70 MB.
MAX_BYTES = 256 * 2**20
MIN_DAYS = 14  # a weekly pattern needs two weeks at least
COUNTS = ("offered", "answered", "abandoned")
MEANS = {"handle_time_s": "answered", "asa_s": "answered", "abandon_time_s": "abandoned"}
# What a mean column adds up to over an interval's contacts (`Series.totals`).
TOTALS = {"handle_time_s": "handle_time_s", "asa_s": "answered_wait_s",
          "abandon_time_s": "abandoned_wait_s"}  # fmt: skip
SINGLE_SERIES = "offered"  # a history without a contact_type column: one series of this name


@dataclass(frozen=True)
class Series:
    """One contact type's history: arrays of days x intervals of the day, from `first_day`.

    `offered` is filled where the history has a gap (see the module); `observed` says which
    intervals the history gave whole. `totals` holds, where the history has the columns, the
    sums over the observed intervals of ``answered``, ``abandoned``, ``handle_time_s`` (total
    handle time of the answered), ``answered_wait_s`` and ``abandoned_wait_s``, per interval.
    """

    contact_type: str
    first_day: date
    interval_min: int
    offered: np.ndarray
    observed: np.ndarray
    last_start: datetime  # the last interval start the history gives for it
    totals: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return self.offered.shape[0]

    @property
    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=k) for k in range(self.days)]

    @property
    def weekdays(self) -> np.ndarray:
        """Each day's weekday, Monday 0."""
        return (np.arange(self.days) + self.first_day.weekday()) % 7


@dataclass(frozen=True)
class History:
    """A checked history: its series, its grid and what was done about its gaps."""

    file: str
    interval_min: int
    series: dict[str, Series]
    last_start: datetime  # the last interval the history gives
    gaps: dict[str, int]  # per contact type, intervals missing inside the history
    closed_intervals: dict[str, int]  # per contact type, intervals of the day never given
    ignored_columns: list[str]
    sha256: str  # of the file's bytes as read: what the run history keeps to name it


def read_history(
    path: Path,
    interval_min: int | None = None,
    contact_types: list[str] | None = None,
    label: str | None = None,
) -> History:
    """The history in CSV `path` (called `label` in messages and sources, default its path),
    on its own grid or aggregated to `interval_min` minutes, restricted to `contact_types`
    when given. Raises `ScenarioError` (one line) when it is not valid (see the module)."""
    file = label or str(path)
    table, sha256 = _read_table(path, file)
    known = {"interval_start", "contact_type", *COUNTS, *MEANS}
    ignored = [c for c in table.columns if c not in known]
    frame = _checked_rows(table, file)
    own = _own_grid(frame, file)
    grid = own if interval_min is None else _coarser(own, interval_min, file)
    available = sorted(frame["contact_type"].unique())
    chosen = contact_types or available
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise ScenarioError(
            file, "contact_type", f"has no {unknown[0]!r} (it has: {', '.join(available)})"
        )
    series, gaps, closed = {}, {}, {}
    for name in chosen:
        series[name], gaps[name], closed[name] = _series(
            frame[frame.contact_type == name], name, grid, own, file
        )
    last_start = frame["start"].max().to_pydatetime()
    return History(file, grid, series, last_start, gaps, closed, ignored, sha256)


def _read_table(path: Path, file: str) -> tuple[pd.DataFrame, str]:
    """The CSV as text cells, with the two columns every history has, and the SHA-256 of the
    file's bytes."""
    try:
        text = read_text(path, MAX_BYTES)
    except OSError as err:
        raise ScenarioError(file, "", f"cannot be read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, "", "is not UTF-8 text") from None
    try:
        table = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ScenarioError(file, "", f"is not a CSV table: {str(err).splitlines()[0]}") from None
    table.columns = [str(c).strip() for c in table.columns]
    for column in ("interval_start", "offered"):
        if column not in table.columns:
            raise ScenarioError(file, "", f"has no {column} column (columns: {', '.join(table)})")
    if table.empty:
        raise ScenarioError(file, "", "has no rows")
    return table, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checked_rows(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """One row per interval and contact type: ``start``, ``contact_type`` and the numbers,
    each checked (the first bad cell named by its line)."""
    starts = _starts(table["interval_start"], file)
    names = (
        table["contact_type"].str.strip()
        if "contact_type" in table
        else pd.Series(SINGLE_SERIES, index=table.index)
    )
    empty = names == ""
    if empty.any():
        raise ScenarioError(file, f"line {_line(empty)}: contact_type", "is empty")
    values = {
        c: _numbers(table[c], c, file, c == "offered") for c in (*COUNTS, *MEANS) if c in table
    }
    _check_counts(values, file)
    _check_means(values, file)
    frame = pd.DataFrame({"start": starts, "contact_type": names, **values})
    repeated = frame.duplicated(["contact_type", "start"], keep="first")
    if repeated.any():
        row = int(np.argmax(repeated.to_numpy()))
        same = (frame.start == frame.start.iloc[row]) & (frame.contact_type == names.iloc[row])
        raise ScenarioError(
            file,
            f"line {row + 2}: interval_start",
            f"{table['interval_start'].iloc[row].strip()} of {names.iloc[row]} "
            f"is given twice (first at line {frame[same].index[0] + 2})",
        )
    return frame


def read_holidays(path: Path, label: str | None = None) -> dict[date, str]:
    """The holidays in CSV `path` (called `label` in messages, default its path): a ``date``
    column (``YYYY-MM-DD``) and an optional ``name``; each date's name (``holiday`` when not
    given). Raises `ScenarioError` when not valid."""
    file = label or str(path)
    try:
        table = pd.read_csv(StringIO(read_text(path, MAX_BYTES)), dtype=str, keep_default_na=False)
    except OSError as err:
        raise ScenarioError(file, "", f"cannot be read: {err.strerror or err}") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        raise ScenarioError(file, "", "is not a CSV table of date[,name]") from None
    if "date" not in table.columns:
        raise ScenarioError(file, "", "has no date column")
    days = pd.to_datetime(table["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        row = _line(days.isna())
        raise ScenarioError(
            file, f"line {row}: date", f"expected YYYY-MM-DD, got {table['date'].iloc[row - 2]!r}"
        )
    if days.duplicated().any():
        raise ScenarioError(file, f"line {_line(days.duplicated())}: date", "is given twice")
    names = table["name"].str.strip() if "name" in table else pd.Series("", index=table.index)
    return {d.date(): (n or "holiday") for d, n in zip(days, names, strict=True)}


def _line(mask: pd.Series) -> int:
    """The file's line number of the first row where `mask` holds (line 1 is the header)."""
    return int(np.argmax(mask.to_numpy())) + 2


def _starts(column: pd.Series, file: str) -> pd.Series:
    starts = pd.to_datetime(column.str.strip(), format="%Y-%m-%d %H:%M", errors="coerce")
    if starts.isna().any():
        row = _line(starts.isna())
        raise ScenarioError(
            file,
            f"line {row}: interval_start",
            f"expected YYYY-MM-DD HH:MM, got {column.iloc[row - 2]!r}",
        )
    return starts


def _numbers(column: pd.Series, name: str, file: str, required: bool) -> pd.Series:
    text = column.str.strip()
    values = pd.to_numeric(text.replace("", None), errors="coerce")
    bad = values.isna() & (text != "") | ~np.isfinite(values.fillna(0))
    if bad.any():
        row = _line(bad)
        raise ScenarioError(
            file, f"line {row}: {name}", f"expected a number, got {column.iloc[row - 2]!r}"
        )
    if required and values.isna().any():
        raise ScenarioError(file, f"line {_line(values.isna())}: {name}", "is empty")
    if (values < 0).any():
        row = _line(values < 0)
        raise ScenarioError(
            file,
            f"line {row}: {name}",
            f"expected a count or time of at least 0, got {values.iloc[row - 2]:g}",
        )
    return values


def _check_means(values: dict[str, pd.Series], file: str) -> None:
    """A mean left blank where contacts were counted would bias the totals: refused."""
    for mean, weight in MEANS.items():
        if mean in values and weight in values:
            blank = values[mean].isna() & (values[weight].fillna(0) > 0)
            if blank.any():
                row = _line(blank)
                count = values[weight].iloc[row - 2]
                raise ScenarioError(file, f"line {row}: {mean}", f"is empty where {weight} is "
                                    f"{count:g}")  # fmt: skip


def _check_counts(values: dict[str, pd.Series], file: str) -> None:
    served = sum(values[c].fillna(0) for c in ("answered", "abandoned") if c in values)
    if isinstance(served, pd.Series):
        over = served > values["offered"] + 1e-9
        if over.any():
            row = _line(over)
            raise ScenarioError(
                file,
                f"line {row}: answered + abandoned",
                f"{served.iloc[row - 2]:g} is more than offered "
                f"{values['offered'].iloc[row - 2]:g}",
            )


def _own_grid(frame: pd.DataFrame, file: str) -> int:
    """The history's interval length: the commonest step between its interval starts, which
    must divide a day and put every start on its grid."""
    starts = np.unique(frame["start"].to_numpy("datetime64[m]").astype(np.int64))
    steps, counts = np.unique(np.diff(starts), return_counts=True)
    own = int(steps[np.argmax(counts)]) if len(steps) else DAY_MIN
    if DAY_MIN % own:
        raise ScenarioError(
            file, "interval_start", f"steps of {own} min, which do not divide a day"
        )
    minutes = (frame["start"].dt.hour * 60 + frame["start"].dt.minute).to_numpy()
    off = pd.Series(minutes % own != 0, index=frame.index)
    if off.any():
        row = _line(off)
        raise ScenarioError(file, f"line {row}: interval_start",
                            f"{frame['start'].iloc[row - 2]:%Y-%m-%d %H:%M} is off the history's "
                            f"{own}-min grid")  # fmt: skip
    return own


def _coarser(own: int, interval_min: int, file: str) -> int:
    """`interval_min`, checked to divide a day and to be a multiple of the history's grid."""
    if DAY_MIN % interval_min or interval_min % own:
        raise ScenarioError(file, "interval_min", f"expected a length that divides a day and is a "
                            f"multiple of the history's {own} min, got {interval_min}")  # fmt: skip
    return interval_min


def _series(
    rows: pd.DataFrame, name: str, grid: int, own: int, file: str
) -> tuple[Series, int, int]:
    """One contact type's rows as a `Series` on `grid` (a multiple of the history's `own`
    grid), with its count of gaps and of intervals of the day never given."""
    fine_per_day, parts = DAY_MIN // own, grid // own
    day0 = rows["start"].min().normalize()
    fine = ((rows["start"] - day0) // pd.Timedelta(minutes=own)).astype(int).to_numpy()
    # The slots of the day the history ever gives: an export may leave out closed hours, so a
    # day is whole when it has every one of them, and a coarse interval is observed when it
    # has all of its slots that are ever given.
    given = np.zeros(fine_per_day, dtype=bool)
    given[np.unique(fine % fine_per_day)] = True
    day = fine // fine_per_day
    first, last = 0, int(day.max())
    if given[: fine[day == first].min() % fine_per_day].any():
        first += 1  # a partial first day: left out
    if given[fine[day == last].max() % fine_per_day + 1 :].any():
        last -= 1  # a partial last day: left out (the forecast starts with its rest)
    days = last - first + 1
    if days < MIN_DAYS:
        raise ScenarioError(file, name, f"has {max(days, 0)} whole days of history, at least "
                            f"{MIN_DAYS} are needed for a weekly pattern")  # fmt: skip
    last_start = rows["start"].max().to_pydatetime()
    keep = (day >= first) & (day <= last)
    rows, slot = rows[keep], (fine[keep] - first * fine_per_day) // parts
    per_day = DAY_MIN // grid
    expected = given.reshape(per_day, parts).sum(axis=1)
    count = np.bincount(slot, minlength=days * per_day).reshape(days, per_day)
    observed = (count == expected) & (expected > 0)

    def summed(values: np.ndarray) -> np.ndarray:
        totals = np.bincount(slot, np.nan_to_num(values), minlength=days * per_day)
        return np.where(observed, totals.reshape(days, per_day), 0.0)

    totals = {c: summed(rows[c].to_numpy(float)) for c in ("answered", "abandoned") if c in rows}
    for mean, weight in MEANS.items():
        if mean in rows and weight in rows:
            products = rows[mean].to_numpy(float) * rows[weight].to_numpy(float)
            totals[TOTALS[mean]] = summed(products)
    closed = int((expected == 0).sum())
    gaps = int((~observed).sum()) - closed * days
    offered = fill_gaps(summed(rows["offered"].to_numpy(float)), observed)
    start = (day0 + pd.Timedelta(days=first)).date()
    return Series(name, start, grid, offered, observed, last_start, totals), gaps, closed


def fill_gaps(offered: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """`offered` (days x intervals) with each interval not `observed` filled with the mean of
    the same interval on the nearest (up to four) same weekdays before it that have it (after
    it when none before has), zero where no day has it (a closed interval). Filling from the
    days before keeps a backtest's training days free of what came after them."""
    days, _ = offered.shape
    filled = offered.astype(float)
    for day, slot in zip(*np.nonzero(~observed), strict=True):
        same = np.arange(day % 7, days, 7)
        have = same[observed[same, slot]]
        before = have[have < day][::-1]
        nearest = before[:4] if len(before) else have[have > day][:4]
        filled[day, slot] = offered[nearest, slot].mean() if len(nearest) else 0.0
    return filled
