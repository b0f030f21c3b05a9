"""Start-up benchmark: baclo against its floor, measured alternately in one run.

    python benchmarks/startup.py [--runs 30]

Each case and its floor run alternately (case, floor, case, floor, ...) so that
machine noise hits both alike; medians and ratios are printed with the goals.
Run it in the environment where baclo is installed (it uses the ``baclo`` next
to this Python). Not a test: timings belong to the machine that runs them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent
PY = sys.executable
BACLO = str(Path(PY).with_name("baclo"))
FLOOR = [PY, str(HERE / "floor_app.py")]


def run_once(cmd: Sequence[str]) -> Tuple[float, int]:
    """Wall time in seconds and peak RSS in KiB of one cold process, output piped."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss


def alternate(pairs: Dict[str, Tuple[List[str], List[str]]], runs: int) -> Dict[str, Dict[str, List[Tuple[float, int]]]]:
    results: Dict[str, Dict[str, List[Tuple[float, int]]]] = {k: {"case": [], "floor": []} for k in pairs}
    for case, floor in pairs.values():  # warm the page cache and the knowledge cache
        run_once(case)
        run_once(floor)
    for _ in range(runs):
        for name, (case, floor) in pairs.items():
            results[name]["case"].append(run_once(case))
            results[name]["floor"].append(run_once(floor))
    return results


def many_items(n: int) -> List[str]:
    from baclofen_cli.knowledge import load_knowledge

    k = load_knowledge()
    names = sorted({t[2] for t in k.medication_names.values()})  # (kind, ref, display)
    return [names[i % len(names)] for i in range(n)]


def load_median_ms(repeats: int = 50) -> float:
    from baclofen_cli.knowledge import loader

    loader.load_knowledge()  # make sure the compiled cache exists
    times = []
    for _ in range(repeats):
        loader._loaded.clear()
        start = time.perf_counter()
        loader.load_knowledge()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    items = ",".join(many_items(1000))
    pairs = {
        "check (table, piped)": ([BACLO, "check", "--with", "opioids", "--history", "kidney"],
                                 FLOOR + ["--with", "opioids", "--history", "kidney"]),
        "check --json": ([BACLO, "check", "--with", "opioids", "--history", "kidney", "--json"],
                         FLOOR + ["--with", "opioids", "--history", "kidney", "--json"]),
        "--version": ([BACLO, "--version"], [PY, "-c", "import typer"]),
        "check, 1000 items": ([BACLO, "check", "--with", items], [BACLO, "check", "--with", "oxycodone"]),
    }
    goals = {"check (table, piped)": 1.25, "check --json": 1.25, "--version": 1.5, "check, 1000 items": 2.0}
    floors = {"check (table, piped)": "floor app, table", "check --json": "floor app, --json",
              "--version": 'python -c "import typer"', "check, 1000 items": "the same with 1 item"}
    results = alternate(pairs, args.runs)
    print(f"{'case':<24} {'median':>9} {'floor':>9} {'ratio':>6} {'goal':>6}  floor")
    ok = True
    for name in pairs:
        case = statistics.median(t for t, _ in results[name]["case"]) * 1000
        floor = statistics.median(t for t, _ in results[name]["floor"]) * 1000
        ratio = case / floor
        ok &= ratio <= goals[name]
        print(f"{name:<24} {case:7.1f}ms {floor:7.1f}ms {ratio:6.2f} {goals[name]:6.2f}  {floors[name]}")
    first = "check (table, piped)"
    mem_case = statistics.median(m for _, m in results[first]["case"]) / 1024
    mem_floor = statistics.median(m for _, m in results[first]["floor"]) / 1024
    ok &= mem_case / mem_floor <= 1.2
    mem_ratio = mem_case / mem_floor
    print(f"{'peak memory, check':<24} {mem_case:7.1f}MB {mem_floor:7.1f}MB {mem_ratio:6.2f} {1.2:6.2f}  floor app, table")
    load = load_median_ms()
    ok &= load <= 5.0
    print(f"{'load knowledge (in-process)':<28} {load:5.2f}ms median (goal <= 5 ms)")
    print(f"runs per case: {args.runs}; python {sys.version.split()[0]}; {'all goals met' if ok else 'SOME GOALS MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
