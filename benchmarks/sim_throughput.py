"""Simulated contacts per second: wfm against a textbook SimPy model and Ciw.

What is measured
----------------
All three engines simulate the same Erlang A queue (M/M/n+M): Poisson arrivals at
``per_interval / 1800`` contacts per second, exponential handle time (mean 180 s), exponential
patience (mean 120 s), ``n`` agents, first come first served, over the same simulated horizon
of ``days * 86400`` seconds. The size is chosen so that about ``--contacts`` contacts arrive
(default 200,000: 7 days x 48 intervals x 600 contacts per interval with 65 agents, i.e. a
load of 60 Erlangs on 65 agents). Smaller sizes keep 600/65 for whole days where possible and
otherwise scale the interval volume and the agents together, so the load per agent stays put.

* ``wfm``: a temporary scenario YAML is written and the WHOLE command
  ``wfm simulate SCENARIO --replications 1 --seed S --workers 1 --json OUT`` is timed with
  ``subprocess`` (wall clock, so interpreter start-up, imports, YAML parsing and JSON writing
  are included -- a handicap the two in-process engines do not carry). The contacts are the
  ``offered`` count read back from the JSON. If no ``wfm`` executable is found the engine is
  skipped with a message.
* ``simpy``: the textbook SimPy model, one process per caller,
  ``result = yield req | env.timeout(patience)``, the request cancelled on abandonment (the
  ``with resource.request()`` block does that), variates from ``numpy.random.Generator``.
  Timed from building the environment to the summary statistics.
* ``ciw``: Ciw 3.x with reneging (``reneging_time_distributions``),
  ``simulate_until_max_time``; contacts are counted from the data records: ``service`` records
  (answered), ``renege`` records (abandoned) and the ``incomplete`` records of contacts still
  waiting or in service at the horizon. Timed from ``create_network`` to the summary
  statistics (``get_all_records`` included).

Wall time is ``time.perf_counter``; with ``--repeat K`` every engine runs K times with the same
seed and the minimum wall time is reported. Contacts per second = contacts / wall seconds.

Sanity check: each engine's service level (answered within 20 s / (answered + abandoned)) and
abandon rate (abandoned / (answered + abandoned)) are printed next to the exact steady-state
Erlang A values; the engines should agree with each other and with theory to within about one
to two percentage points. For SimPy and Ciw a contact counts as answered when service starts,
so contacts in service at the horizon are answered; contacts still waiting at the horizon are
offered but neither answered nor abandoned.

Usage::

    python benchmarks/sim_throughput.py [--contacts N] [--repeat K] [--markdown]
                                        [--engines wfm,simpy,ciw] [--seed S] [--wfm PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ciw
import numpy as np
import simpy
import yaml

INTERVAL_S = 1800  # 30-minute intervals
INTERVALS_PER_DAY = 48
AHT_S = 180.0  # mean handle time
PATIENCE_S = 120.0  # mean patience
ANSWER_WITHIN_S = 20.0  # service-level threshold
REF_PER_INTERVAL = 600  # reference volume per interval ...
REF_AGENTS = 65  # ... and the agents that carry it (60 Erlangs on 65 agents)
ENGINES = ("wfm", "simpy", "ciw")


@dataclass(frozen=True)
class Model:
    """The Erlang A model every engine simulates."""

    days: int
    per_interval: int
    agents: int

    @property
    def horizon_s(self) -> float:
        return float(self.days * INTERVALS_PER_DAY * INTERVAL_S)

    @property
    def arrival_rate(self) -> float:
        """Arrivals per second."""
        return self.per_interval / INTERVAL_S

    @property
    def expected_contacts(self) -> int:
        return self.days * INTERVALS_PER_DAY * self.per_interval


@dataclass
class Result:
    """One engine's measurement."""

    engine: str
    contacts: int
    wall_s: float
    service_level: float
    abandon_rate: float

    @property
    def contacts_per_s(self) -> float:
        return self.contacts / self.wall_s if self.wall_s > 0 else math.inf


class Skip(Exception):
    """An engine cannot be run here; the message says why."""


def plan(contacts: int) -> Model:
    """Pick days, volume and agents so that about ``contacts`` contacts arrive.

    Whole days at the reference 600 contacts per interval and 65 agents when that lands within
    5 % of the request (200,000 -> 7 days, 201,600 expected); otherwise the interval volume is
    scaled to hit the request and the agents are scaled with it (same load per agent).
    """
    per_day = INTERVALS_PER_DAY * REF_PER_INTERVAL
    days = max(1, round(contacts / per_day))
    if abs(days * per_day - contacts) <= 0.05 * contacts:
        return Model(days, REF_PER_INTERVAL, REF_AGENTS)
    per_interval = max(1, round(contacts / (INTERVALS_PER_DAY * days)))
    agents = max(1, round(per_interval * REF_AGENTS / REF_PER_INTERVAL))
    return Model(days, per_interval, agents)


# --------------------------------------------------------------------------- theory


def erlang_a(model: Model, t: float = ANSWER_WITHIN_S) -> tuple[float, float]:
    """Exact steady-state (service level, abandon rate) of M/M/n+M under FCFS.

    The number in system is a birth-death chain; by PASTA an arrival sees its stationary
    distribution. An arrival finding ``k`` callers waiting moves up the queue at rate
    ``n mu + j theta`` while ``j`` are ahead of it and abandons at rate ``theta``; the chance of
    reaching an agent within ``t`` is computed by uniformization of that small absorbing chain.
    """
    lam, mu, theta, n = model.arrival_rate, 1.0 / AHT_S, 1.0 / PATIENCE_S, model.agents
    # log pi_i (unnormalized) for i = 0 .. n + K, K large enough for the tail to vanish
    k_max, log_tail = 0, 0.0
    while log_tail > -60.0 or lam >= n * mu + k_max * theta:
        k_max += 1
        log_tail += math.log(lam / (n * mu + k_max * theta))
    deaths = np.concatenate([np.arange(1, n + 1) * mu, n * mu + np.arange(1, k_max + 1) * theta])
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(deaths))])
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    queue = pi[n:]  # arrival finds n + j in system -> j callers ahead of it
    abandon = theta * float(np.dot(np.arange(queue.size), queue)) / lam

    ahead = np.arange(queue.size)
    move = n * mu + ahead * theta  # rate of moving one place up (or into service from j = 0)
    big_lambda = float(move[-1] + theta)
    stay = 1.0 - (move + theta) / big_lambda
    step = move / big_lambda
    v = queue.copy()  # probability mass still waiting, by places ahead
    served = 0.0  # mass that has reached an agent after m uniformized steps
    lt = big_lambda * t
    if lt > 700:
        raise ValueError("uniformization rate too large for this model")
    weight = math.exp(-lt)
    reached = 0.0
    m_max = int(lt + 12 * math.sqrt(lt) + 30)
    for m in range(m_max + 1):
        if m > 0:
            weight *= lt / m
            served += v[0] * step[0]
            v = v * stay + np.append(v[1:] * step[1:], 0.0)
        reached += weight * served
    sl = float(pi[:n].sum() + reached)
    return sl, abandon


# --------------------------------------------------------------------------- engines


def find_wfm(explicit: str | None) -> str | None:
    """The wfm executable: --wfm, else next to this interpreter, else on PATH."""
    if explicit:
        return explicit if Path(explicit).exists() else None
    beside = Path(sys.executable).parent / "wfm"
    if beside.exists():
        return str(beside)
    repo_venv = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "wfm"
    if repo_venv.exists():
        return str(repo_venv)
    return shutil.which("wfm")


def scenario_yaml(model: Model) -> dict[str, object]:
    """The wfm scenario for ``model`` (same shape as the contract's single-queue scenario)."""
    return {
        "name": "bench-erlang-a",
        "horizon": {"days": model.days, "interval_min": INTERVAL_S // 60},
        "channels": [{"name": "voice", "kind": "voice"}],
        "contact_types": [
            {
                "name": "general",
                "channel": "voice",
                "skill": "general",
                "volume": {"per_interval": model.per_interval},
                "handle_time": {"distribution": "exponential", "mean_s": AHT_S},
                "patience": {"distribution": "exponential", "mean_s": PATIENCE_S},
            }
        ],
        "targets": [
            {
                "contact_type": "general",
                "answer_within_s": ANSWER_WITHIN_S,
                "service_level": 0.8,
                "source": "assumption",
            }
        ],
        "agent_groups": [{"name": "pool", "skills": ["general"], "agents": model.agents}],
    }


def run_wfm(model: Model, seed: int, wfm: str | None) -> Result:
    """Time the whole ``wfm simulate`` command in a subprocess."""
    if wfm is None:
        raise Skip(
            "no wfm executable found (tried --wfm, beside this Python, .venv/bin, PATH); "
            "install the project (pip install -e .) or pass --wfm PATH"
        )
    with tempfile.TemporaryDirectory(prefix="wfm-bench-") as tmp:
        scenario = Path(tmp) / "bench-erlang-a.yaml"
        out = Path(tmp) / "out.json"
        scenario.write_text(yaml.safe_dump(scenario_yaml(model), sort_keys=False))
        cmd = [
            wfm, "simulate", str(scenario), "--replications", "1", "--seed", str(seed),
            "--workers", "1", "--json", str(out),
        ]  # fmt: skip
        start = time.perf_counter()
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise Skip(f"`{' '.join(cmd)}` exited {proc.returncode}: " + " | ".join(tail))
        try:
            general = json.loads(out.read_text())["contact_types"]["general"]
            offered = float(general["offered"]["mean"])
            sl = float(general["service_level"]["mean"])
            ab = float(general["abandon_rate"]["mean"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise Skip(
                f"could not read offered/service_level/abandon_rate from JSON: {exc!r}"
            ) from exc
    return Result("wfm", round(offered), wall, sl, ab)


def run_simpy(model: Model, seed: int) -> Result:
    """The textbook SimPy Erlang A model: one process per caller."""
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=model.agents)
    mean_iat = 1.0 / model.arrival_rate
    waits: list[float] = []  # waiting time of every answered caller
    abandoned = 0
    offered = 0

    def caller(arrived: float) -> simpy.events.ProcessGenerator:
        nonlocal abandoned
        patience = rng.exponential(PATIENCE_S)
        with agents.request() as req:  # leaving the block cancels or releases the request
            result = yield req | env.timeout(patience)
            if req in result:
                waits.append(env.now - arrived)
                yield env.timeout(rng.exponential(AHT_S))
            else:
                abandoned += 1

    def arrivals() -> simpy.events.ProcessGenerator:
        nonlocal offered
        while True:
            yield env.timeout(rng.exponential(mean_iat))
            offered += 1
            env.process(caller(env.now))

    env.process(arrivals())
    env.run(until=model.horizon_s)
    w = np.asarray(waits)
    resolved = w.size + abandoned
    sl = float(np.count_nonzero(w <= ANSWER_WITHIN_S)) / resolved
    ab = abandoned / resolved
    wall = time.perf_counter() - start
    return Result("simpy", offered, wall, sl, ab)


def run_ciw(model: Model, seed: int) -> Result:
    """Ciw 3.x M/M/n with exponential reneging, until the horizon."""
    start = time.perf_counter()
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=model.arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT_S)],
        number_of_servers=[model.agents],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / PATIENCE_S)],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(model.horizon_s)
    records = sim.get_all_records(include_incomplete=True)
    within = answered = abandoned = 0
    for r in records:
        in_service = r.record_type == "incomplete" and r.waiting_time is not None
        if r.record_type == "service" or in_service:  # served, or in service at the horizon
            answered += 1
            within += r.waiting_time <= ANSWER_WITHIN_S
        elif r.record_type == "renege":
            abandoned += 1
    resolved = answered + abandoned
    wall = time.perf_counter() - start
    return Result("ciw", len(records), wall, within / resolved, abandoned / resolved)


# --------------------------------------------------------------------------- driver


def best_of(repeat: int, run: Callable[[], Result]) -> Result:
    """Run ``repeat`` times; keep the last statistics and the minimum wall time."""
    results = [run() for _ in range(repeat)]
    best = results[-1]
    best.wall_s = min(r.wall_s for r in results)
    return best


def ratio(results: dict[str, Result], a: str, b: str) -> str:
    if a in results and b in results:
        return f"{results[a].contacts_per_s / results[b].contacts_per_s:.2f}x"
    return "n/a"


def report(
    model: Model,
    args: argparse.Namespace,
    results: dict[str, Result],
    skipped: dict[str, str],
    theory: tuple[float, float],
) -> str:
    label = {"wfm": "wfm", "simpy": f"SimPy {simpy.__version__}", "ciw": f"Ciw {ciw.__version__}"}
    header = (
        f"Erlang A (M/M/n+M): {model.days} d x {INTERVALS_PER_DAY} intervals x "
        f"{model.per_interval} contacts = {model.expected_contacts:,} expected contacts, "
        f"{model.agents} agents, AHT {AHT_S:.0f} s, patience {PATIENCE_S:.0f} s, "
        f"seed {args.seed}, best of {args.repeat}"
    )
    env = (
        f"Python {platform.python_version()}, numpy {np.__version__}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    ratios = (
        f"wfm/SimPy: {ratio(results, 'wfm', 'simpy')}, wfm/Ciw: {ratio(results, 'wfm', 'ciw')} "
        "(contacts per second)"
    )
    sl_t, ab_t = theory
    lines: list[str] = []
    if args.markdown:
        lines += [header + ".", "", env + ".", ""]
        lines.append("| Engine | Contacts | Wall (s) | Contacts/s | Service level | Abandon rate |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for name in args.engines:
            if name in results:
                r = results[name]
                lines.append(
                    f"| {label[name]} | {r.contacts:,} | {r.wall_s:.2f} | "
                    f"{r.contacts_per_s:,.0f} | {r.service_level:.1%} | {r.abandon_rate:.1%} |"
                )
            else:
                lines.append(f"| {label[name]} | skipped | | | | |")
        lines.append(f"| Erlang A (exact, steady state) | | | | {sl_t:.1%} | {ab_t:.1%} |")
        lines += ["", ratios + "."]
        for name, why in skipped.items():
            lines.append(f"\n{label[name]} skipped: {why}")
    else:
        lines += [header, env, ""]
        lines.append(
            f"{'engine':<12}{'contacts':>10}{'wall s':>10}{'contacts/s':>12}{'SL':>8}{'abandon':>9}"
        )
        for name in args.engines:
            if name in results:
                r = results[name]
                lines.append(
                    f"{label[name]:<12}{r.contacts:>10,}{r.wall_s:>10.2f}{r.contacts_per_s:>12,.0f}"
                    f"{r.service_level:>8.1%}{r.abandon_rate:>9.1%}"
                )
            else:
                lines.append(f"{label[name]:<12}  skipped: {skipped[name]}")
        lines.append(f"{'theory':<12}{'':>10}{'':>10}{'':>12}{sl_t:>8.1%}{ab_t:>9.1%}")
        lines += ["", ratios]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--contacts", type=int, default=200_000, help="target contacts (default 200000)")
    p.add_argument("--repeat", type=int, default=1, help="runs per engine; best wall time kept")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated subset of wfm,simpy,ciw"
    )
    p.add_argument("--seed", type=int, default=1, help="seed for every engine (default 1)")
    p.add_argument("--wfm", default=None, help="path of the wfm executable (default: found)")
    args = p.parse_args(argv)
    engines = [e.strip().lower() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or not engines:
        p.error(f"--engines takes a subset of {','.join(ENGINES)}; got {args.engines!r}")
    args.engines = list(dict.fromkeys(engines))
    if args.contacts < 1 or args.repeat < 1:
        p.error("--contacts and --repeat must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    model = plan(args.contacts)
    wfm = find_wfm(args.wfm)
    runners: dict[str, Callable[[], Result]] = {
        "wfm": lambda: run_wfm(model, args.seed, wfm),
        "simpy": lambda: run_simpy(model, args.seed),
        "ciw": lambda: run_ciw(model, args.seed),
    }
    results: dict[str, Result] = {}
    skipped: dict[str, str] = {}
    for name in args.engines:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            results[name] = best_of(args.repeat, runners[name])
        except Skip as why:
            skipped[name] = str(why)
            print(f"  {name} skipped: {why}", file=sys.stderr, flush=True)
    print(report(model, args, results, skipped, erlang_a(model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
