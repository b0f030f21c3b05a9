"""Differential check of ``baclo screen``: this checkout's installed baclo against a reference baclo.

    python benchmarks/differential.py --reference /tmp/main-venv/bin/baclo            # 100,000 generated rows
    python benchmarks/differential.py --reference OTHER/baclo --rows 20000 --keep DIR

A speed-up must never change what baclo says. Both baclos screen the same files and every
output must be byte-identical, and so must the exit status:
  * rows made by benchmarks/screen.py's generator (unique EHR-style rows, ``--rows`` of them);
  * every line of the line-reader corpora (tests/data/lines/medications.tsv and conditions.tsv),
    one row each, and rows mixing 1-6 corpus medication lines with 0-3 corpus condition lines and
    a dose (so the grading sees them together);
  * the hostile and odd screening inputs kept in tests/data (CSV files).
Each file is screened three ways: ``--out out.jsonl``, ``--out out.csv`` and ``--format fhir``
(standard output). Exit status 1 when anything differs (the first differing line is shown).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from screen import BACLO, DOSES, generate  # noqa: E402

LINES = ROOT / "tests" / "data" / "lines"


def corpus(name: str) -> List[str]:
    """The lines of a line-reader corpus (first column; comments and blank lines skipped)."""
    found = []
    for raw in (LINES / name).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            found.append(raw.split("\t", 1)[0])
    return found


def corpus_file(path: Path, mixed: int, seed: int = 7) -> int:
    """A CSV with every corpus line as a row of its own, then ``mixed`` rows mixing them; returns rows."""
    meds, conds = corpus("medications.tsv"), corpus("conditions.tsv")
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "medications", "conditions", "daily_dose_mg"])
        for line in meds:
            rows += 1
            out.writerow([f"M{rows}", line, "", ""])
        for line in conds:
            rows += 1
            out.writerow([f"C{rows}", "", line, ""])
        for _ in range(mixed):
            rows += 1
            out.writerow([f"X{rows}", ";".join(rng.choice(meds) for _ in range(rng.randint(1, 6))),
                          "|".join(rng.choice(conds) for _ in range(rng.randint(0, 3))), rng.choice(DOSES)])
    return rows


def hostile_files() -> List[Path]:
    """The screening inputs kept in tests/data (CSV)."""
    data = ROOT / "tests" / "data"
    return sorted(p for p in data.rglob("*.csv") if p.is_file())


def run(baclo: str, data: Path, mode: str, out: Path, env: dict) -> Tuple[int, bytes]:
    """Exit status and the bytes written (the --out file, or standard output for fhir)."""
    if mode == "fhir":
        cmd = [baclo, "screen", str(data), "--format", "fhir", "--jobs", "1"]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        return proc.returncode, proc.stdout
    if out.exists():
        out.unlink()
    cmd = [baclo, "screen", str(data), "--out", str(out), "--json", "--jobs", "1"]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return proc.returncode, out.read_bytes() if out.exists() else b""


def first_difference(a: bytes, b: bytes) -> Optional[str]:
    la, lb = a.split(b"\n"), b.split(b"\n")
    for n, (x, y) in enumerate(zip(la, lb, strict=False), 1):
        if x != y:
            return f"line {n}:\n  reference: {x[:400]!r}\n  this:      {y[:400]!r}"
    if len(la) != len(lb):
        return f"line counts differ: reference {len(la)}, this {len(lb)}"
    return None


def compare(files: Sequence[Path], reference: str, mine: str, tmp: Path, env: dict) -> Tuple[int, int, List[str]]:
    """(files compared, output lines compared, differences)."""
    differences: List[str] = []
    lines = 0
    for data in files:
        for mode in ("jsonl", "csv", "fhir"):
            out = tmp / f"out.{'csv' if mode == 'csv' else 'jsonl'}"
            code_a, a = run(reference, data, mode, out, env)
            code_b, b = run(mine, data, mode, out, env)
            count = a.count(b"\n")
            lines += count
            if code_a != code_b:
                differences.append(f"{data.name} ({mode}): exit status {code_a} (reference), {code_b} (this)")
            where = first_difference(a, b) if a != b else None
            if where is not None:
                differences.append(f"{data.name} ({mode}): {where}")
            print(f"  {data.name:<32} {mode:<6} {count:>9,} lines  "
                  f"{'identical' if a == b and code_a == code_b else 'DIFFERENT'}", flush=True)
    return len(files), lines, differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", required=True, help="the reference baclo (e.g. main's, installed elsewhere)")
    parser.add_argument("--baclo", default=BACLO, help="the baclo under test (default: beside this Python)")
    parser.add_argument("--rows", type=int, default=100_000, help="generated rows (default 100,000)")
    parser.add_argument("--mixed", type=int, default=20_000, help="rows mixing corpus lines (default 20,000)")
    parser.add_argument("--keep", metavar="DIR", help="keep the generated files here")
    args = parser.parse_args()
    env = dict(os.environ, BACLO_CACHE_DIR=os.environ.get("BACLO_CACHE_DIR", tempfile.mkdtemp(prefix="baclo-cache-")))
    ctx = tempfile.TemporaryDirectory()
    tmp = Path(args.keep) if args.keep else Path(ctx.name)
    tmp.mkdir(parents=True, exist_ok=True)
    generated = tmp / f"generated-{args.rows}.csv"
    generate(generated, args.rows)
    mixed = tmp / "corpus.csv"
    corpus_rows = corpus_file(mixed, args.mixed)
    print(f"reference: {args.reference}\nthis:      {args.baclo}\n"
          f"generated rows: {args.rows:,}; corpus rows: {corpus_rows:,}; hostile files: {len(hostile_files())}")
    files, lines, differences = compare([generated, mixed, *hostile_files()], args.reference, args.baclo, tmp, env)
    print(f"\n{files} files x 3 outputs, {lines:,} output lines compared: {len(differences)} difference(s)")
    for d in differences:
        print(d)
    ctx.cleanup()
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
