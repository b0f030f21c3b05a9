"""A FHIR Bulk Data export of generated patients screens to the same verdicts as the same patients as a CSV.

    python benchmarks/fhir_bulk.py [--patients 10000]

Writes, for the same patients, a Bulk Data export (Patient, MedicationRequest,
MedicationStatement, MedicationDispense, Condition, AllergyIntolerance and
Observation NDJSON files; references relative and absolute) and a CSV with the
same medicines and conditions. Runs the INSTALLED `baclo screen DIR --out` and
`baclo screen FILE.csv --out`, and compares every patient's status, highest
severity, findings and unrecognized items. Also reports time and peak memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

BACLO = str(Path(sys.executable).with_name("baclo"))
MEDS = ["oxycodone 5 mg tablet", "Percocet", "gabapentin 300 mg capsule", "sertraline", "Lyrica", "diazepam 5mg",
        "tramadol", "atorvastatin 20 mg", "lisinopril", "metformin 500 mg", "zolpidem", "co-codamol 30/500",
        "paracetamol", "amitriptyline 10 mg", "quetiapine", "Tylenol", "ibuprofen", "tizanidine", "omeprazole",
        "levothyroxine", "vitamin D", "xyzzyquin", "oxycodne", "Eliquis"]
CONDITIONS = ["chronic kidney disease", "epilepsy", "COPD", "hypertension", "multiple sclerosis", "stroke",
              "type 2 diabetes", "obstructive sleep apnea", "depression", "ESRD on dialysis", "osteoarthritis"]
MED_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationDispense")


def _ref(rng: random.Random, pid: str) -> Dict[str, str]:
    base = "https://ehr.example.org/fhir/" if rng.random() < 0.2 else ""
    return {"reference": f"{base}Patient/{pid}"}


def generate(directory: Path, csv_path: Path, patients: int, seed: int = 5) -> int:
    """Write the export and the CSV; return the number of resources written."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    files = {t: (directory / f"{t}.ndjson").open("w", encoding="utf-8")
             for t in ("Patient", *MED_TYPES, "Condition", "AllergyIntolerance", "Observation")}
    n = 0
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        table = csv.writer(f)
        table.writerow(["id", "medications", "conditions", "daily_dose_mg"])
        meds_by_type: Dict[str, List[Tuple[int, str]]] = {}
        for i in range(1, patients + 1):
            pid = f"pt{i:06d}"
            files["Patient"].write(json.dumps({"resourceType": "Patient", "id": pid, "gender": "unknown"}) + "\n")
            n += 1
            meds_by_type = {t: [] for t in MED_TYPES}
            for j, name in enumerate(rng.sample(MEDS, rng.randint(0, 5))):
                kind = rng.choice(MED_TYPES)
                meds_by_type[kind].append((j, name))
                subject = "subject"
                res: Dict[str, Any] = {"resourceType": kind, "id": f"{pid}-m{j}", subject: _ref(rng, pid),
                                       "medicationCodeableConcept": {"text": name}}
                res["status"] = {"MedicationRequest": "active", "MedicationStatement": "active",
                                 "MedicationDispense": "completed"}[kind]
                if kind == "MedicationRequest":
                    res["intent"] = "order"
                files[kind].write(json.dumps(res) + "\n")
                n += 1
            conds = rng.sample(CONDITIONS, rng.randint(0, 3))
            for j, name in enumerate(conds):
                files["Condition"].write(json.dumps({
                    "resourceType": "Condition", "id": f"{pid}-c{j}", "subject": _ref(rng, pid),
                    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                   "code": "active"}]},
                    "code": {"text": name}}) + "\n")
                n += 1
            if rng.random() < 0.03:
                files["AllergyIntolerance"].write(json.dumps({
                    "resourceType": "AllergyIntolerance", "id": f"{pid}-a", "patient": _ref(rng, pid),
                    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                   "allergyintolerance-clinical", "code": "active"}]},
                    "code": {"text": "baclofen"}}) + "\n")
                n += 1
                conds.append("baclofen allergy")
            if rng.random() < 0.5:
                files["Observation"].write(json.dumps({
                    "resourceType": "Observation", "id": f"{pid}-o", "status": "final", "subject": _ref(rng, pid),
                    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
                    "valueQuantity": {"value": 72, "unit": "/min"}}) + "\n")
                n += 1
            # the export is read file by file (Patient first, then by name): list the items in that order
            ordered = [name for kind in sorted(MED_TYPES) for _, name in meds_by_type[kind]]
            table.writerow([pid, ";".join(ordered), "|".join(conds), ""])
    for handle in files.values():
        handle.close()
    return n


def verdicts(path: Path) -> Dict[str, Tuple[Any, ...]]:
    out = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out[r["id"]] = (r["status"], r["highest_severity"], sorted(x["id"] for x in r["findings"]),
                            sorted(r["unrecognized"]), r["error"])
    return out


def timed(cmd: List[str], env: Dict[str, str]) -> Tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3, 4):
        sys.exit(f"{' '.join(cmd)} failed ({code}): {err[-2000:]}")
    return time.perf_counter() - start, usage.ru_maxrss, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    env = dict(os.environ, BACLO_CACHE_DIR=os.environ.get("BACLO_CACHE_DIR", tempfile.mkdtemp(prefix="baclo-cache-")))
    with tempfile.TemporaryDirectory() as tmp:
        export, table = Path(tmp) / "export", Path(tmp) / "patients.csv"
        resources = generate(export, table, args.patients)
        bulk_out, csv_out = Path(tmp) / "bulk.jsonl", Path(tmp) / "csv.jsonl"
        t_bulk, m_bulk, err = timed([BACLO, "screen", str(export), "--out", str(bulk_out), "--json"], env)
        t_csv, m_csv, _ = timed([BACLO, "screen", str(table), "--out", str(csv_out), "--json", "--jobs", "1"], env)
        a, b = verdicts(bulk_out), verdicts(csv_out)
    differ = [pid for pid in b if a.get(pid) != b[pid]]
    print(f"{args.patients:,} patients, {resources:,} resources")
    print(f"  baclo screen EXPORT_DIR --out : {t_bulk:6.1f} s ({args.patients / t_bulk:,.0f} patients/s), "
          f"peak {m_bulk / 1024:.0f} MB")
    print(f"  baclo screen patients.csv --out: {t_csv:6.1f} s, peak {m_csv / 1024:.0f} MB")
    print("  accounting (standard error of the export run):")
    for line in err.strip().splitlines():
        print(f"    {line}")
    print(f"  patients screened: export {len(a):,}, CSV {len(b):,}; verdicts differing: {len(differ):,}")
    for pid in differ[:5]:
        print(f"    {pid}: export {a.get(pid)} / CSV {b[pid]}")
    sys.exit(0 if not differ and len(a) == len(b) == args.patients else 1)


if __name__ == "__main__":
    main()
