"""baclo screen DIR: a FHIR Bulk Data export screened patient by patient, every resource accounted for."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
from conftest import MINI

from baclofen_cli.inputs import fhir_bulk
from baclofen_cli.record import Record

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from fhir_bulk import generate  # noqa: E402


def stub_record(resources: Iterable[Dict[str, Any]], patient_id: Optional[str] = None) -> Record:
    """Stands in for ``inputs.fhir.record_from_resources`` (same signature) when it is not there yet."""
    meds: List[str] = []
    conds: List[str] = []
    for res in resources:
        kind = res["resourceType"]
        if kind.startswith("Medication"):
            meds.append(res["medicationCodeableConcept"]["text"])
        elif kind == "Condition":
            conds.append(res["code"]["text"])
        elif kind == "AllergyIntolerance" and res["code"]["text"] == "baclofen":
            conds.append("baclofen allergy")
    return Record(tuple(meds), tuple(conds), patient_id=patient_id)


def _adapter() -> Any:
    try:
        from baclofen_cli.inputs.fhir import record_from_resources  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return stub_record
    return record_from_resources


@pytest.fixture
def adapter(monkeypatch: pytest.MonkeyPatch) -> Any:
    chosen = _adapter()
    monkeypatch.setattr(fhir_bulk, "_default_to_record", lambda: chosen)
    return chosen


def verdicts(path: Path) -> Dict[str, Any]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out[r["id"]] = (r["status"], r["highest_severity"], sorted(f["id"] for f in r["findings"]),
                        sorted(r["unrecognized"]))
    return out


def test_export_screens_to_the_same_verdicts_as_the_same_patients_as_a_csv(run: Any, tmp_path: Path,
                                                                          adapter: Any) -> None:
    export, table = tmp_path / "export", tmp_path / "patients.csv"
    resources = generate(export, table, 300)
    bulk = run("screen", str(export), "--out", str(tmp_path / "bulk.jsonl"), "--json")  # the bundled knowledge
    flat = run("screen", str(table), "--out", str(tmp_path / "csv.jsonl"), "--json")
    a, b = verdicts(tmp_path / "bulk.jsonl"), verdicts(tmp_path / "csv.jsonl")
    assert len(a) == 300
    assert a == b
    assert bulk.exit_code == flat.exit_code != 0  # something flagged, something not recognized
    assert json.loads(bulk.stdout)["summary"] == json.loads(flat.stdout)["summary"]
    assert {v[0] for v in a.values()} >= {"flagged", "clean", "not-fully-checked"}
    assert f"{resources:,} lines" in bulk.stderr and "Patient 300" in bulk.stderr and "300 patients" in bulk.stderr


def write_ndjson(path: Path, lines: List[Any]) -> None:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8")


def test_every_line_is_counted_and_the_unreadable_ones_reported(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_ndjson(export / "Patient.ndjson", [{"resourceType": "Patient", "id": "a"},
                                             {"resourceType": "Patient", "id": "b"}, "", {"resourceType": "Patient"}])
    write_ndjson(export / "MedicationRequest.ndjson", [
        {"resourceType": "MedicationRequest", "subject": {"reference": "Patient/b"},
         "medicationCodeableConcept": {"text": "Percocet"}},
        "{not json",
        [1, 2],
        {"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "valium"}},  # no patient
        {"resourceType": "MedicationRequest", "subject": {"reference": "https://x.org/fhir/Patient/c/_history/2"},
         "medicationCodeableConcept": {"text": "valium"}},
        {"resourceType": "MedicationRequest", "subject": {"reference": "Patient/a"},
         "medicationCodeableConcept": {"text": "Tylenol"}},
    ])
    write_ndjson(export / "Encounter.ndjson", [{"resourceType": "Encounter", "subject": {"reference": "Patient/a"}}])
    (export / "manifest.json").write_text("{}")
    with fhir_bulk.BulkExport(str(export), stub_record) as bulk:
        rows = list(bulk.rows())
        acc = bulk.accounting
    assert [(r.number, r.record.patient_id, r.record.medications) for r in rows] == [
        (1, "a", ("Tylenol",)), (2, "b", ("Percocet",)), (3, "c", ("valium",))]
    assert acc.lines == 10 and acc.patients == 3 and acc.unreadable == 4
    assert acc.by_type == {"Patient": 3, "MedicationRequest": 4, "Encounter": 1}  # the Encounter goes to patient a
    assert [name for name, _ in acc.not_read] == ["manifest.json"]
    assert all(len(r.record.unreadable) == 2 for r in rows)  # the file and the lines not read doubt every patient
    reasons = [(p.file, p.line, p.reason.split(" (")[0]) for p in acc.problems]
    assert reasons == [("Patient.ndjson", 4, "a Patient with no id"),
                       ("MedicationRequest.ndjson", 2, "not valid JSON"),
                       ("MedicationRequest.ndjson", 3, "not a JSON object"),
                       ("MedicationRequest.ndjson", 4, "a MedicationRequest that names no patient")]
    text = "\n".join(acc.lines_text())
    assert "4 lines not read or not attributed to a patient" in text and "Encounter 1" in text
    assert "manifest.json" in text


def test_a_patient_whose_resources_cannot_be_read_is_a_malformed_row(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_ndjson(export / "Patient.ndjson", [{"resourceType": "Patient", "id": "a"},
                                             {"resourceType": "Patient", "id": "b"}])

    def refuses_b(resources: Iterable[Dict[str, Any]], patient_id: Optional[str] = None) -> Record:
        if patient_id == "b":
            raise ValueError("two patients in one record")
        return stub_record(resources, patient_id)

    with fhir_bulk.BulkExport(str(export), refuses_b) as bulk:
        rows = list(bulk.rows())
    assert rows[0].error is None and rows[0].record.patient_id == "a"
    assert rows[1].error == "Patient/b: two patients in one record" and rows[1].record.patient_id == "b"


def test_unreadable_lines_keep_the_run_from_being_all_clear(run: Any, tmp_path: Path, adapter: Any) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_ndjson(export / "Patient.ndjson", [{"resourceType": "Patient", "id": "a"}])
    write_ndjson(export / "Condition.ndjson", [
        {"resourceType": "Condition", "subject": {"reference": "Patient/a"}, "code": {"text": "hypertension"}}])
    clean = run("--data", str(MINI), "screen", str(export), "--json")
    assert clean.exit_code == 0, clean.stderr
    write_ndjson(export / "MedicationStatement.ndjson", ["{oops"])
    result = run("--data", str(MINI), "screen", str(export), "--json")
    assert result.exit_code == 3
    assert "MedicationStatement.ndjson, line 1: not valid JSON" in result.stderr


def test_a_directory_without_ndjson_is_a_usage_error(run: Any, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = run("--data", str(MINI), "screen", str(tmp_path))
    assert result.exit_code == 2
    assert "no .ndjson files" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_over_worker_processes_gives_the_same_records(run: Any, tmp_path: Path, adapter: Any) -> None:
    export, table = tmp_path / "export", tmp_path / "patients.csv"
    generate(export, table, 2100)  # over two chunks: really spread over workers
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"{jobs}.jsonl"
        result = run("--data", str(MINI), "screen", str(export), "--out", str(out), "--jobs", jobs)
        assert result.exit_code != 2, result.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert len(outs[0].splitlines()) == 2100
