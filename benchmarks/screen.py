"""Screening on the path users take: unique realistic rows, per-row output, against a dict-join baseline.

    python benchmarks/screen.py                         # quick dry run (10,000 and 50,000 rows)
    python benchmarks/screen.py --sizes 100000,1000000  # the figures the README quotes

Generates a CSV of unique patient rows the way EHR exports look: 1-8 medication
lines each, with strengths, forms and sigs ("oxycodone 5 mg tablet, 1 tab PO q6h
PRN pain", "co-codamol 30/500 ONE to be taken FOUR times a day"), US and UK names,
about 10% unknown items, each a distinct misspelling, 0-4 conditions as words or
ICD-10-CM codes, and a daily baclofen dose on most rows. Every row's cells are
unique (no two rows share medications, conditions and dose).

On the same file, in the same run, it times:
  * a dict-join baseline (about 25 lines of Python: split, lowercase, strip
    strength/form words, look each item up in baclo's own name table, one JSON
    line per row);
  * the INSTALLED `baclo screen FILE --out out.jsonl` and `baclo screen FILE
    --format fhir > out.ndjson`, each with --jobs 1 and --jobs 2.
Each is a separate process; peak memory is its high-water mark (VmHWM), or with
--jobs 2 the largest sum of resident memory over the main process and its workers,
sampled every 50 ms. Rates are rows per second of wall-clock time, start-up included.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

PY = sys.executable
BACLO = str(Path(PY).with_name("baclo"))

# US and UK names, generic and brand, as they appear in medication lists
NAMES = """
oxycodone|OxyContin|Percocet|Norco|hydrocodone/acetaminophen|tramadol|Ultram|morphine|MS Contin|codeine|co-codamol
co-dydramol|dihydrocodeine|fentanyl|buprenorphine|Butrans|methadone|tapentadol|Zomorph|Oramorph|pethidine
gabapentin|Neurontin|pregabalin|Lyrica|diazepam|Valium|alprazolam|Xanax|lorazepam|Ativan|clonazepam|Klonopin
temazepam|zolpidem|Ambien|zopiclone|trazodone|mirtazapine|amitriptyline|nortriptyline|sertraline|Zoloft
fluoxetine|Prozac|citalopram|escitalopram|Lexapro|paroxetine|venlafaxine|Effexor|duloxetine|Cymbalta|bupropion
quetiapine|Seroquel|olanzapine|risperidone|aripiprazole|haloperidol|lithium|lamotrigine|levetiracetam|Keppra
carbamazepine|Tegretol|sodium valproate|Epilim|valproic acid|Depakote|phenytoin|topiramate|tizanidine|Zanaflex
cyclobenzaprine|Flexeril|methocarbamol|carisoprodol|dantrolene|dantrolene|metaxalone|orphenadrine|promethazine
diphenhydramine|Benadryl|hydroxyzine|cetirizine|Zyrtec|loratadine|chlorphenamine|Piriton|cyclizine|ondansetron
metoclopramide|prochlorperazine|levodopa/carbidopa|Sinemet|co-careldopa|ropinirole|pramipexole|donepezil
memantine|atorvastatin|Lipitor|simvastatin|rosuvastatin|Crestor|pravastatin|lisinopril|ramipril|enalapril
losartan|candesartan|amlodipine|Norvasc|bisoprolol|metoprolol|atenolol|propranolol|carvedilol|doxazosin
tamsulosin|finasteride|furosemide|Lasix|bumetanide|hydrochlorothiazide|bendroflumethiazide|indapamide
spironolactone|metformin|Glucophage|gliclazide|glipizide|sitagliptin|Januvia|empagliflozin|Jardiance
dapagliflozin|semaglutide|Ozempic|insulin glargine|Lantus|insulin aspart|Humalog|levothyroxine|Synthroid
omeprazole|Prilosec|lansoprazole|pantoprazole|esomeprazole|ranitidine|famotidine|Gaviscon|senna|lactulose
Movicol|docusate|loperamide|paracetamol|acetaminophen|Tylenol|ibuprofen|Advil|naproxen|Aleve|diclofenac
celecoxib|aspirin|clopidogrel|Plavix|warfarin|Coumadin|apixaban|Eliquis|rivaroxaban|Xarelto|edoxaban
dabigatran|digoxin|amiodarone|salbutamol|albuterol|Ventolin|ProAir|tiotropium|Spiriva|fluticasone
budesonide|Symbicort|Seretide|montelukast|prednisolone|prednisone|hydrocortisone|dexamethasone
amoxicillin|co-amoxiclav|Augmentin|doxycycline|clarithromycin|azithromycin|ciprofloxacin|nitrofurantoin
trimethoprim|cefalexin|metronidazole|fluconazole|aciclovir|folic acid|ferrous sulfate|vitamin D|colecalciferol
Adcal-D3|calcium carbonate|cyanocobalamin|thiamine|melatonin|alendronic acid|alendronate|oxybutynin
tolterodine|solifenacin|mirabegron|botulinum toxin|baclofen|Lioresal|Lyflex|intrathecal baclofen|modafinil
naltrexone|acamprosate|disulfiram|nicotine patch|varenicline|cannabidiol|Sativex|nabilone|St John's wort
""".replace("\n", "|").split("|")
NAMES = [n.strip() for n in NAMES if n.strip()]
STRENGTHS = ["5 mg", "10 mg", "10mg", "20 mg", "25 mg", "40 mg", "50 mg", "100 mg", "150 mg", "200 mg", "300 mg",
             "500 mg", "0.5 mg", "2.5 mg", "1 g", "75 mcg", "100 mcg/dose", "12 mcg/hr", "30/500", "10/325 mg",
             "100 units/mL", "5 mg/5 mL", "250mg", "7.5 mg", "60 mg"]
FORMS = ["tablet", "tab", "tablets", "capsule", "cap", "ER tablet", "XL tablet", "oral solution", "patch",
         "inhaler", "MR tablets", "film-coated tablets", "injection", "oral suspension", "SR capsule", ""]
SIGS = ["1 tab PO BID", "1 tab PO daily", "take 1 tablet by mouth twice daily", "1 cap PO q6h PRN pain",
        "2 puffs inh q4h prn wheeze", "10 units SC at bedtime", "ONE to be taken TWICE a day",
        "TWO to be taken at night", "one tablet three times a day", "1-2 tabs PO q4-6h PRN", "od", "bd", "tds",
        "nocte", "apply 1 patch every 72 hours", "1 tab PO TID with meals", "take as directed",
        "1 tablet every morning", "qHS", "2 tabs PO QID PRN pain max 8/day", "once weekly", ""]
CONDITIONS = ["CKD stage 3", "chronic kidney disease", "CKD", "ESRD on dialysis", "epilepsy", "seizure disorder",
              "COPD", "asthma", "obstructive sleep apnea", "pregnancy", "type 2 diabetes", "hypertension",
              "multiple sclerosis", "spinal cord injury", "cerebral palsy", "stroke", "history of stroke",
              "liver cirrhosis", "peptic ulcer", "schizophrenia", "depression", "anxiety", "GERD",
              "atrial fibrillation", "heart failure", "osteoarthritis", "dementia", "Parkinson's disease",
              "alcohol use disorder", "falls", "elderly", "autonomic dysreflexia", "urinary retention"]
ICD10 = ["N18.3", "N18.4", "N18.6", "Z99.2", "G40.909", "G40.2", "J44.9", "J45.909", "G47.33", "Z33.1", "E11.9",
         "I10", "G35", "S14.109A", "G80.0", "I63.9", "Z86.73", "K74.60", "K25.9", "F20.9", "F32.9", "F41.1",
         "K21.9", "I48.91", "I50.9", "M17.11", "F03.90", "G20", "F10.20", "R29.6", "N39.0", "ICD-10 N18.4"]
DOSES = ["", "", "15", "20", "30", "40", "45", "60", "75", "80", "90", "120"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def misspell(rng: random.Random, name: str) -> str:
    """A distinct misspelling: two random edits (substitute, drop, insert, swap)."""
    chars = list(name.lower())
    for _ in range(2):
        i = rng.randrange(len(chars))
        op = rng.randrange(4)
        if op == 0:
            chars[i] = rng.choice(LETTERS)
        elif op == 1 and len(chars) > 3:
            del chars[i]
        elif op == 2:
            chars.insert(i, rng.choice(LETTERS))
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars) + rng.choice(["", "x", "q", "z", "ine", "ol"]) + str(rng.randrange(1000))


def med_line(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    if rng.random() < 0.10:
        name = misspell(rng, name)
    strength, form, sig = rng.choice(STRENGTHS), rng.choice(FORMS), rng.choice(SIGS)
    style = rng.randrange(4)
    if style == 0:
        return name
    if style == 1:
        return f"{name} {strength}".strip()
    if style == 2:
        return " ".join(p for p in (name, strength, form) if p)
    return " ".join(p for p in (name, strength, form) if p) + (f", {sig}" if sig else "")


def row_cells(rng: random.Random) -> Tuple[str, str, str]:
    meds = ";".join(med_line(rng) for _ in range(rng.randint(1, 8)))
    conds = "|".join(rng.choice(ICD10) if rng.random() < 0.4 else rng.choice(CONDITIONS)
                     for _ in range(rng.randint(0, 4)))
    return meds, conds, rng.choice(DOSES)


def generate(path: Path, rows: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    seen = set()
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "medications", "conditions", "daily_dose_mg"])
        written = 0
        while written < rows:
            cells = row_cells(rng)
            key = hash(cells)
            if key in seen:
                continue
            seen.add(key)
            written += 1
            out.writerow([f"MRN{written:08d}", *cells])


BASELINE = r'''
import csv, json, re, sys
names = json.load(open(sys.argv[2], encoding="utf-8"))
meds, conds = names["medications"], names["conditions"]
strip = re.compile(r"\b\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?\s*(?:mg|mcg|g|ml|units?)?(?:/\w+)?\b|,.*$"
                   r"|\b(?:tablets?|tabs?|capsules?|caps?|er|xl|sr|mr|oral|solution|suspension|patch|inhaler|injection)\b")
def look(item, table):
    key = item.lower().strip()
    hit = table.get(key)
    if hit is None:
        key = " ".join(strip.sub(" ", key).split())
        hit = table.get(key)
    return hit
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[3], "w", encoding="utf-8") as out:
    rows = csv.reader(f)
    next(rows)
    for number, (ident, med, cond, dose) in enumerate(rows, 1):
        found, unknown = [], []
        for items, table in ((med.replace("|", ";").split(";"), meds), (cond.replace("|", ";").split(";"), conds)):
            for item in items:
                if item.strip():
                    hit = look(item, table)
                    (found if hit else unknown).append(hit[1] if hit else item)
        out.write(json.dumps({"row": number, "id": ident, "found": found, "unknown": unknown,
                              "dose": dose}) + "\n")
'''


def _tree(root: int) -> List[int]:
    """A process and all its descendants (Linux /proc)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    children.setdefault(int(f.read().rsplit(b")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _memory_kib(pid: int) -> Tuple[int, int]:
    """(resident now, high-water mark) of one process in KiB; both start afresh at exec, unlike ru_maxrss,
    which would also count the benchmark's own memory at the moment it forked the child."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, hwm


def timed(cmd: Sequence[str], stdout: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> Tuple[float, int]:
    """Wall-clock seconds and peak memory in KiB: the command's own high-water mark, or, when it
    starts worker processes, the largest sum of resident memory over all of them (sampled every 50 ms)."""
    start = time.perf_counter()
    with open(stdout or os.devnull, "w") as sink, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(cmd), stdout=sink, stderr=err, env=env)
        peak = 0
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            pids = _tree(proc.pid)
            memory = [_memory_kib(p) for p in pids]
            peak = max(peak, memory[0][1] if len(pids) == 1 else sum(rss for rss, _ in memory))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1, 3, 4):
            err.seek(0)
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().decode(errors='replace')[-2000:]}")
    return elapsed, peak


def name_table(path: Path) -> None:
    """baclo's own name index, as the baseline's dict (name -> [kind, entry])."""
    from baclofen_cli.knowledge import load_knowledge

    k = load_knowledge()
    path.write_text(json.dumps({"medications": {n: list(t) for n, t in k.medication_names.items()},
                                "conditions": {n: list(t) for n, t in k.condition_names.items()}}), encoding="utf-8")


def same_output(a: Path, b: Path) -> bool:
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated row counts (default: a quick dry run)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to time")
    parser.add_argument("--modes", default="jsonl,fhir", help="comma-separated outputs to time: jsonl, fhir")
    parser.add_argument("--keep", metavar="DIR", help="keep the generated files and outputs here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs = [int(j) for j in args.jobs.split(",")]
    env = dict(os.environ, BACLO_CACHE_DIR=os.environ.get("BACLO_CACHE_DIR", tempfile.mkdtemp(prefix="baclo-cache-")))
    version = subprocess.run([BACLO, "--version"], capture_output=True, text=True, env=env).stdout.strip()
    print(f"baclo: {BACLO} ({version}); Python {platform.python_version()}; {os.cpu_count()} cores; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("data: unique CSV rows, 1-8 EHR-style medication lines each (strengths, forms, sigs; US and UK names, "
          "~10% distinct misspellings), 0-4 conditions (40% ICD-10-CM codes), a daily dose on most rows")
    tmp_ctx = tempfile.TemporaryDirectory()
    tmp = Path(args.keep) if args.keep else Path(tmp_ctx.name)
    tmp.mkdir(parents=True, exist_ok=True)
    timed([BACLO, "info"], env=env)  # warm the knowledge cache: every run below starts from it
    names = tmp / "names.json"
    name_table(names)
    baseline = tmp / "baseline.py"
    baseline.write_text(BASELINE, encoding="utf-8")
    results: List[Tuple[int, str, float, float, float]] = []
    failures: List[str] = []
    for size in sizes:
        data = tmp / f"patients-{size}.csv"
        generate(data, size)
        mb = data.stat().st_size / 1e6
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n{size:,} rows ({mb:.0f} MB); load average before the runs: {load}")
        print(f"  {'command':<44} {'rows/s':>9} {'x baseline':>10} {'peak MB':>8}  (--jobs 2: all processes)")
        t, rss = timed([PY, str(baseline), str(data), str(names), str(tmp / "baseline.jsonl")])
        base_rate = size / t
        print(f"  {'dict-join baseline (JSONL out)':<44} {base_rate:>9,.0f} {'1':>10} {rss / 1024:>8.0f}")
        for mode in args.modes.split(","):
            outputs = []
            for j in jobs:
                out = tmp / f"out-{size}-{mode}-{j}.{'jsonl' if mode == 'jsonl' else 'ndjson'}"
                if mode == "jsonl":
                    cmd = [BACLO, "screen", str(data), "--out", str(out), "--json", "--jobs", str(j)]
                    t, rss = timed(cmd, env=env)
                    label = f"baclo screen FILE --out out.jsonl --jobs {j}"
                else:
                    cmd = [BACLO, "screen", str(data), "--format", "fhir", "--jobs", str(j)]
                    t, rss = timed(cmd, stdout=out, env=env)
                    label = f"baclo screen FILE --format fhir --jobs {j}"
                rate = size / t
                results.append((size, label, rate, rate / base_rate, rss / 1024))
                print(f"  {label:<44} {rate:>9,.0f} {rate / base_rate:>10.2f} {rss / 1024:>8.0f}")
                outputs.append(out)
            if len(outputs) > 1:
                same = all(same_output(outputs[0], o) for o in outputs[1:])
                lines = sum(1 for _ in outputs[0].open("rb"))
                print(f"  {mode}: {lines:,} lines; output identical across --jobs {','.join(map(str, jobs))}: "
                      f"{'yes' if same else 'NO'}")
                if not same or lines != size:
                    failures.append(f"{mode} output at {size:,} rows differs between job counts or misses rows")
            for o in outputs:
                o.unlink()
    print("\ngoals (largest size):")
    big = max(sizes)
    rate = {label: (r, ratio, m) for s, label, r, ratio, m in results if s == big}
    small = {label: m for s, label, _, _, m in results if s == min(sizes)}
    j1o, j1f = "baclo screen FILE --out out.jsonl --jobs 1", "baclo screen FILE --format fhir --jobs 1"
    j2o = "baclo screen FILE --out out.jsonl --jobs 2"
    checks = []
    if j1o in rate:
        checks.append((f"JSONL one process >= 1/3 of baseline: {rate[j1o][1]:.2f}", rate[j1o][1] >= 1 / 3))
    if j1f in rate:
        checks.append((f"FHIR one process >= 1/5 of baseline: {rate[j1f][1]:.2f}", rate[j1f][1] >= 1 / 5))
    if j1o in rate and j2o in rate:
        speedup = rate[j2o][0] / rate[j1o][0]
        checks.append((f"--jobs 2 >= 1.7x one process (JSONL): {speedup:.2f}x", speedup >= 1.7))
    for label in (j1o, j1f):
        if len(sizes) > 1 and label in rate and label in small:
            growth = rate[label][2] / small[label]
            checks.append((f"peak memory {big:,} rows / {min(sizes):,} rows <= 1.2 ({label}): {growth:.2f}",
                           growth <= 1.2))
    one = [v[2] for label, v in rate.items() if label.endswith("--jobs 1")]
    if one:
        checks.append((f"peak memory at {big:,} rows < 150 MB (one process, JSONL and FHIR): {max(one):.0f} MB",
                       max(one) < 150))
    for text, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {text}")
        if not ok:
            failures.append(text)
    tmp_ctx.cleanup()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
