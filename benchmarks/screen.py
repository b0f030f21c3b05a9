"""Screening throughput and memory: baclo screen against the csv module merely reading the file.

    python benchmarks/screen.py [--rows 1000000] [--runs 3]

Generates a patient file (ids unique; regimens drawn from a few thousand
realistic combinations of medicines, conditions and doses, about 3% of them
with a name baclo does not know and 0.1% malformed rows), then alternately
times `python -c "csv.reader over the file"` and `baclo screen FILE --json`,
and compares baclo's peak memory on the full file with that on a tenth of it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Sequence, Tuple

PY = sys.executable
BACLO = str(Path(PY).with_name("baclo"))
MEDS = ["oxycodone", "Percocet", "Norco", "tramadol", "gabapentin", "Lyrica", "diazepam", "Xanax", "zolpidem",
        "sertraline", "Zoloft", "trazodone", "atorvastatin", "Lipitor", "lisinopril", "amlodipine", "metformin",
        "Ozempic", "levothyroxine", "omeprazole", "ibuprofen", "Tylenol PM", "cetirizine", "tizanidine",
        "cyclobenzaprine", "duloxetine", "quetiapine", "melatonin", "beer", "Eliquis", "amoxicillin",
        "prednisone", "vitamin D", "fish oil", "losartan", "furosemide", "insulin glargine", "Tylenol"]
UNKNOWN = ["xyzzy", "oxycodon", "vitamine q"]
CONDITIONS = ["CKD", "dialysis", "epilepsy", "COPD", "sleep apnea", "pregnant", "diabetes", "hypertension",
              "multiple sclerosis", "stroke", "liver disease", "elderly", "GERD", "asthma"]
DOSES = ["", "15", "30", "45", "60", "80", "90"]


def regimens(n: int, seed: int = 7) -> List[Tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        meds = rng.sample(MEDS, rng.randint(0, 4))
        if rng.random() < 0.03:
            meds.append(rng.choice(UNKNOWN))
        conds = rng.sample(CONDITIONS, rng.randint(0, 2))
        out.append((";".join(meds), "|".join(conds), rng.choice(DOSES)))
    return out


def generate(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    pool = regimens(4000)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("id,medications,conditions,daily_dose_mg\n")
        for i in range(rows):
            meds, conds, dose = pool[rng.randrange(len(pool))]
            if rng.random() < 0.001:
                dose = "ten"
            f.write(f"P{i:08d},{meds},{conds},{dose}\n")


def timed(cmd: Sequence[str]) -> Tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.csv", Path(tmp) / "small.csv"
        generate(big, args.rows)
        generate(small, args.rows // 10)
        read_only = [PY, "-c", f"import csv\nfor _ in csv.reader(open({str(big)!r}, newline='')): pass"]
        screen = [BACLO, "screen", str(big), "--json"]
        reads, screens, mem_big = [], [], []
        for _ in range(args.runs):
            reads.append(timed(read_only)[0])
            elapsed, rss = timed(screen)
            screens.append(elapsed)
            mem_big.append(rss)
        mem_small = [timed([BACLO, "screen", str(small), "--json"])[1] for _ in range(args.runs)]
    read_rate = args.rows / statistics.median(reads)
    screen_rate = args.rows / statistics.median(screens)
    ratio = screen_rate / read_rate
    mem_ratio = statistics.median(mem_big) / statistics.median(mem_small)
    print(f"rows: {args.rows:,}; runs: {args.runs}")
    print(f"csv module, read only : {read_rate:12,.0f} rows/s")
    print(f"baclo screen --json   : {screen_rate:12,.0f} rows/s   ratio {ratio:.2f} (goal >= 0.33)")
    print(f"peak memory           : {statistics.median(mem_big) / 1024:.1f} MB for {args.rows:,} rows, "
          f"{statistics.median(mem_small) / 1024:.1f} MB for {args.rows // 10:,}: ratio {mem_ratio:.2f} (goal <= 1.20)")
    ok = ratio >= 1 / 3 and mem_ratio <= 1.2
    print("all goals met" if ok else "SOME GOALS MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
