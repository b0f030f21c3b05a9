"""Hostile FHIR input and output: nothing whitewashed, nothing lost, no patient merged or mangled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from fhir.resources.R4B.bundle import Bundle

from baclofen_cli.cli import app
from baclofen_cli.inputs.fhir import FhirError, read_fhir, record_from_resources

HERE = Path(__file__).parent
US_CORE = HERE / "data" / "fhir" / "us-core-patient.json"
NESTED = HERE / "data" / "fhir" / "nested-bundle.json"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def med(kind: str = "MedicationRequest", status: str = "active", **fields: Any) -> Dict[str, Any]:
    resource: Dict[str, Any] = {"resourceType": kind, "id": "m1", "status": status,
                                "subject": {"reference": "Patient/p1"}}
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    resource.update(fields)
    return resource


def text(name: str) -> Dict[str, Any]:
    return {"medicationCodeableConcept": {"text": name}}


def check_json(run: Any, payload: Any, *extra: str) -> Any:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json", *extra],
                               input=payload if isinstance(payload, (str, bytes)) else json.dumps(payload))
    return result


# ---------------------------------------------------------------- FHIR in: what is read


def test_real_world_bundle_reads_everything(run: Any) -> None:
    result = run("check", "--fhir", str(US_CORE), "--json")
    assert result.exit_code == 4  # flagged, and coded-only resources not checked
    data = json.loads(result.stdout)
    texts = [i["text"] for i in data["inputs"]]
    # the codeine coding is read beside the text "Tylenol"; the dispense and the administration are read
    assert "Acetaminophen 300 MG / Codeine Phosphate 30 MG Oral Tablet" in texts and "Tylenol" in texts
    assert "gabapentin 300 MG Oral Capsule" in texts and "lorazepam" in texts
    assert {"ICD-10-CM I10", "ICD-10-CM N18.4", "baclofen allergy"} <= set(texts)  # every ICD-10-CM code
    ids = {f["id"] for f in data["findings"]}
    assert {"opioids", "hypersensitivity", "benzodiazepines", "gabapentinoids"} <= ids
    assert data["patient_id"] == "pt-42"
    unrecognized = " ".join(data["unrecognized"])
    assert "RxNorm 1049621" in unrecognized and "SNOMED CT 84757009" in unrecognized
    skipped = {s["where"]: s["reason"] for s in data["skipped"]}
    assert skipped["MedicationRequest/mr-stopped"] == "status stopped"
    assert skipped["MedicationRequest/mr-error"] == "status entered-in-error"
    assert skipped["MedicationStatement/ms-not-taken"] == "status not-taken"
    assert "Condition/c-pregnancy" not in skipped  # resolved: read as a history (clinical round G)
    assert data["inputs"][texts.index("history of pregnancy")]["from"] == "Condition/c-pregnancy, clinical status resolved"
    assert skipped["Condition/c-epilepsy"] == "verification status refuted"
    assert "other than baclofen" in skipped["AllergyIntolerance/a-penicillin"]
    for name in ("zolpidem", "oxycodone", "diazepam", "epilepsy"):
        assert not any(name in t.lower() for t in texts), name  # skipped, so not checked...
        assert any(name in s["text"].lower() for s in data["skipped"]), name  # ...but listed


def test_egfr_observation_becomes_renal_function() -> None:
    record = read_fhir(str(US_CORE))
    assert [(r.measure, r.value) for r in record.renal] == [("egfr", 24.0)]
    assert "Observation/egfr" in record.renal[0].source and "2026-11-01" in record.renal[0].source


def test_text_output_lists_skipped_and_patient(run: Any) -> None:
    result = run("check", "--fhir", str(US_CORE))
    assert "Patient: pt-42" in result.stdout
    assert "Skipped (6)" in result.stdout
    assert "MedicationRequest/mr-stopped: zolpidem 10 mg tablet: status stopped" in result.stdout


def test_nested_bundles_contained_and_ingredients(run: Any) -> None:
    data = json.loads(run("check", "--fhir", str(NESTED), "--json").stdout)
    texts = [i["text"] for i in data["inputs"]]
    assert texts == ["compounded capsule", "tramadol", "epilepsy"]
    assert {f["id"] for f in data["findings"]} >= {"opioids"}
    assert data["unrecognized"] == ["compounded capsule"]  # never assumed harmless


@pytest.mark.parametrize("kind", ["MedicationStatement", "MedicationRequest", "MedicationDispense",
                                  "MedicationAdministration"])
def test_every_medicine_resource_type_is_read(run: Any, kind: str) -> None:
    result = check_json(run, med(kind, **text("oxycodone")))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["id"] == "opioids"


def test_a_medication_nobody_refers_to_is_still_read(run: Any) -> None:
    result = check_json(run, {"resourceType": "Medication", "code": {"text": "diazepam"}})
    assert result.exit_code == 1


def test_coding_naming_codeine_is_not_lost_to_text_tylenol(run: Any) -> None:
    concept = {"text": "Tylenol", "coding": [{"system": RXNORM, "code": "2670", "display": "codeine"}]}
    result = check_json(run, med(medicationCodeableConcept=concept))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [i["text"] for i in data["inputs"]] == ["Tylenol", "codeine"]
    assert [f["id"] for f in data["findings"] if f["kind"] == "interaction"] == ["opioids"]


def test_same_name_twice_is_one_item() -> None:
    concept = {"text": "Oxycodone", "coding": [{"display": "oxycodone"}, {"display": " OXYCODONE "}]}
    record = record_from_resources([med(medicationCodeableConcept=concept),
                                    med(medicationCodeableConcept={"text": "oxycodone"})])
    assert record.medications == ("Oxycodone",)


def test_every_icd10_code_of_a_condition_is_read() -> None:
    condition = {"resourceType": "Condition", "code": {"coding": [
        {"system": ICD10CM, "code": "I10", "display": "Essential hypertension"},
        {"system": ICD10CM, "code": "G40.909"},
        {"system": "http://snomed.info/sct", "code": "84757009", "display": "Epilepsy (disorder)"}]}}
    record = record_from_resources([condition])
    assert record.conditions == ("ICD-10-CM I10", "Essential hypertension", "ICD-10-CM G40.909", "Epilepsy")


@pytest.mark.parametrize("kind,status,skipped", [
    ("MedicationStatement", "stopped", True), ("MedicationStatement", "completed", True),
    ("MedicationStatement", "not-taken", True), ("MedicationStatement", "entered-in-error", True),
    ("MedicationStatement", "on-hold", False), ("MedicationStatement", "intended", False),
    ("MedicationStatement", "unknown", False),
    ("MedicationRequest", "cancelled", True), ("MedicationRequest", "stopped", True),
    ("MedicationRequest", "completed", False), ("MedicationRequest", "draft", False),
    ("MedicationDispense", "declined", True), ("MedicationDispense", "completed", False),
    ("MedicationAdministration", "not-done", True), ("MedicationAdministration", "stopped", False),
])
def test_statuses(kind: str, status: str, skipped: bool) -> None:
    record = record_from_resources([med(kind, status, **text("oxycodone"))])
    assert (record.medications == ()) is skipped
    assert len(record.skipped) == int(skipped)
    if skipped:
        assert record.skipped[0].reason.startswith(f"status {status}")
        assert record.skipped[0].text == "oxycodone"


@pytest.mark.parametrize("clinical,verification,skipped", [
    ("active", None, False), ("resolved", None, False), ("inactive", None, False), ("remission", None, False),
    (None, "refuted", True), (None, "entered-in-error", True), (None, "unconfirmed", False),
    ("recurrence", "provisional", False), ("resolved", "entered-in-error", True),
])
def test_condition_statuses(clinical: Any, verification: Any, skipped: bool) -> None:
    condition: Dict[str, Any] = {"resourceType": "Condition", "code": {"text": "epilepsy"}}
    if clinical:
        condition["clinicalStatus"] = {"coding": [{"code": clinical}]}
    if verification:
        condition["verificationStatus"] = {"coding": [{"code": verification}]}
    record = record_from_resources([condition])
    assert (record.conditions == ()) is skipped
    assert len(record.skipped) == int(skipped)
    if not skipped:  # a resolved or inactive Condition is a history (clinical round G); remission is checked as is
        past = clinical in ("resolved", "inactive")
        assert record.conditions == ("history of epilepsy" if past else "epilepsy",)


def test_do_not_perform_request_is_skipped() -> None:
    record = record_from_resources([med(doNotPerform=True, **text("oxycodone"))])
    assert record.medications == () and "doNotPerform" in record.skipped[0].reason


@pytest.mark.parametrize("allergy,expected", [
    ({"code": {"text": "Baclofen"}}, "condition"),
    ({"code": {"coding": [{"system": RXNORM, "code": "1292"}]}}, "condition"),
    ({"code": {"text": "Lioresal"}}, "condition"),
    ({"reaction": [{"substance": {"text": "baclofen"}}]}, "condition"),
    ({"code": {"text": "baclofen"}, "verificationStatus": {"coding": [{"code": "refuted"}]}}, "skipped"),
    ({"code": {"text": "penicillin"}}, "looked up"),  # skipped or not checked by check_record
    ({"code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005"}]}}, "unreadable"),
    ({}, "unreadable"),
])
def test_allergies(allergy: Dict[str, Any], expected: str) -> None:
    record = record_from_resources([{"resourceType": "AllergyIntolerance", **allergy}])
    got = ("condition" if record.conditions else "skipped" if record.skipped else "unreadable" if record.unreadable
           else "looked up" if record.allergies else "lost")
    assert got == expected
    if record.conditions:
        assert record.conditions == ("baclofen allergy",)


def test_allergy_to_baclofen_is_the_contraindication(run: Any) -> None:
    result = check_json(run, {"resourceType": "AllergyIntolerance", "code": {"text": "baclofen"}})
    findings = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1 and findings[0]["severity"] == "contraindicated"


@pytest.mark.parametrize("observation,expected", [
    ({"code": {"coding": [{"system": "http://loinc.org", "code": "62238-1"}]},
      "valueQuantity": {"value": 45, "unit": "mL/min/1.73m2"}}, ("egfr", 45.0)),
    ({"code": {"coding": [{"system": "http://loinc.org", "code": "2164-2"}]},
      "valueQuantity": {"value": 30, "unit": "mL/min"}}, ("crcl", 30.0)),
    ({"code": {"text": "eGFR (CKD-EPI)"}, "valueString": "<15"}, ("egfr", 15.0)),
    ({"code": {"text": "eGFR"}, "valueString": ">60 mL/min/1.73m2"}, ("egfr", 60.0)),
    ({"code": {"text": "panel"}, "component": [{"code": {"coding": [{"code": "98979-8"}]},
                                                "valueQuantity": {"value": 20}}]}, ("egfr", 20.0)),
])
def test_renal_observations(observation: Dict[str, Any], expected: Any) -> None:
    record = record_from_resources([{"resourceType": "Observation", "status": "final", **observation}])
    assert [(r.measure, round(r.value, 6)) for r in record.renal] == [expected]


def test_less_than_is_graded_at_its_worst_case() -> None:
    record = record_from_resources([{"resourceType": "Observation", "code": {"text": "eGFR"},
                                     "valueQuantity": {"value": 15, "comparator": "<"}}])
    assert (record.renal[0].value, record.renal[0].comparator) == (15, "<")
    assert record.renal[0].graded == 0  # may be anywhere below 15 (clinical round G)


@pytest.mark.parametrize("observation,where", [
    ({"valueQuantity": {"value": "forty"}}, "unreadable"),
    ({"valueQuantity": {"value": 40, "unit": "mL/s"}}, "unreadable"),
    ({"valueQuantity": {"value": -3}}, "unreadable"),
    ({"valueQuantity": {"value": True}}, "unreadable"),
    ({"dataAbsentReason": {"text": "not done"}}, "skipped"),
    ({"status": "entered-in-error", "valueQuantity": {"value": 40}}, "skipped"),
])
def test_unreadable_renal_values_are_reported(observation: Dict[str, Any], where: str) -> None:
    record = record_from_resources([{"resourceType": "Observation", "code": {"text": "eGFR"}, **observation}])
    assert record.renal == ()
    assert len(getattr(record, where)) == 1


# ---------------------------------------------------------------- FHIR in: hostile shapes


def test_coded_only_medication_is_not_checked_with_its_code(run: Any) -> None:
    result = check_json(run, med(medicationCodeableConcept={"coding": [{"system": RXNORM, "code": "7804"}]}))
    assert result.exit_code == 3
    assert json.loads(result.stdout)["unrecognized"] == ["RxNorm 7804 (MedicationRequest/m1)"]


def test_coded_only_coding_beside_a_name_is_still_not_checked() -> None:
    concept = {"text": "Tylenol", "coding": [{"system": RXNORM, "code": "2670"}]}
    record = record_from_resources([med(medicationCodeableConcept=concept)])
    assert record.medications == ("Tylenol",)
    assert [u.text for u in record.unreadable] == ["RxNorm 2670"]


@pytest.mark.parametrize("resource", [
    med(medicationCodeableConcept="oxycodone"),
    med(medicationCodeableConcept={"coding": "oxycodone"}),
    med(medicationCodeableConcept={"text": 42}),
    med(medicationCodeableConcept={"coding": [["oxycodone"]]}),
    med(medicationCodeableConcept={"coding": [{"display": {"x": 1}}]}),
    med(medicationReference="Medication/1"),
    med(medicationReference={"reference": "Medication/not-here"}),
    med(),
    {"resourceType": "Condition", "code": ["epilepsy"]},
    {"resourceType": "Condition"},
])
def test_wrong_json_types_are_not_checked_never_dropped(run: Any, resource: Dict[str, Any]) -> None:
    record = record_from_resources([resource])
    assert record.unreadable, record
    result = check_json(run, resource)
    assert result.exit_code in (3, 4)  # something not checked
    assert "Traceback" not in result.output


@pytest.mark.parametrize("bundle", [
    {"resourceType": "Bundle", "entry": {"resource": {}}},
    {"resourceType": "Bundle", "entry": ["x", 1, None]},
    {"resourceType": "Bundle", "entry": [{"resource": {"id": "no-type"}}]},
    {"resourceType": "Bundle", "entry": [{"resource": [1, 2]}]},
    {"resourceType": "MedicationRequest", "contained": "oops", **text("oxycodone")},
])
def test_malformed_bundle_parts_are_reported(bundle: Dict[str, Any]) -> None:
    record = record_from_resources([bundle])
    assert record.unreadable


@pytest.mark.parametrize("payload,needle", [
    ("[]", "the JSON is an array"),
    ('"MedicationRequest"', "the JSON is a string"),
    ("null", "the JSON is null"),
    ('{"resourceType": 5}', "no resourceType"),
    ('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Observation", "valueQuantity": '
     '{"value": NaN}}}]}', "NaN is not a JSON number"),
    ('{"resourceType": "MedicationRequest", "status": "active", "status": "stopped"}', "appears twice"),
    ("\ufeff{", "not valid JSON"),
    ("", "not valid JSON"),
])
def test_unreadable_documents_exit_2_from_stdin(run: Any, payload: str, needle: str) -> None:
    result = check_json(run, payload)
    assert result.exit_code == 2
    assert needle in result.stderr


def test_invalid_utf8_on_stdin_gets_the_same_check_as_a_file(run: Any, tmp_path: Path) -> None:
    raw = b'{"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "oxy\xff"}}'
    from_stdin = check_json(run, raw)
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    from_file = run("check", "--fhir", str(path))
    assert from_stdin.exit_code == from_file.exit_code == 2
    assert "not UTF-8" in from_stdin.stderr and "not UTF-8" in from_file.stderr


def test_a_directory_or_missing_file_is_a_usage_error(run: Any, tmp_path: Path) -> None:
    assert "it is a directory" in run("check", "--fhir", str(tmp_path)).stderr
    assert run("check", "--fhir", str(tmp_path / "nope.json")).exit_code == 2


def test_two_patients_in_one_file_are_refused(run: Any) -> None:
    bundle = {"resourceType": "Bundle", "entry": [
        {"resource": med(**text("oxycodone"))},
        {"resource": {**med(**text("diazepam")), "subject": {"reference": "Patient/p2"}}}]}
    result = check_json(run, bundle)
    assert result.exit_code == 2
    assert "more than one patient" in result.stderr and "'p1'" in result.stderr and "'p2'" in result.stderr


def test_given_patient_must_match() -> None:
    with pytest.raises(FhirError, match="one record is one patient"):
        record_from_resources([med(**text("oxycodone"))], patient_id="p9")
    assert record_from_resources([med(**text("oxycodone"))], patient_id="p1").patient_id == "p1"


def test_patient_by_full_url_and_absolute_reference_is_one_patient() -> None:
    patient = {"resourceType": "Patient", "id": "abc"}
    resources = [{"resourceType": "Bundle", "entry": [
        {"fullUrl": "urn:uuid:5d1e8a56-46c6-4a0a-bf36-6d2c5a2fb0a1", "resource": patient},
        {"resource": {**med(**text("oxycodone")), "subject": {"reference": "urn:uuid:5d1e8a56-46c6-4a0a-bf36-6d2c5a2fb0a1"}}},
        {"resource": {**med(**text("diazepam")), "subject": {"reference": "https://x.example/fhir/Patient/abc"}}}]}]
    assert record_from_resources(resources).patient_id == "abc"


def test_everything_skipped_is_not_an_all_clear(run: Any) -> None:
    result = check_json(run, med(status="stopped", **text("oxycodone")))
    assert result.exit_code == 2
    assert "nothing to check" in result.stderr and "status stopped" in result.stderr


def test_fhir_merges_with_options(run: Any) -> None:
    result = check_json(run, med(**text("diazepam")), "--with", "gabapentin", "--history", "COPD")
    data = json.loads(result.stdout)
    assert [i["text"] for i in data["inputs"]] == ["gabapentin", "diazepam", "COPD"]


def test_deeply_nested_json_is_an_error_not_a_crash(run: Any) -> None:
    result = check_json(run, "[" * 100_000 + "]" * 100_000)
    assert result.exit_code == 2


def test_control_characters_in_fhir_names_never_reach_the_terminal_raw(run: Any) -> None:
    evil = "xyzzy\n- oxycodone: no known interaction\x1b[2J"
    result = check_json(run, med(**text(evil)))
    assert json.loads(result.stdout)["unrecognized"] == [evil]  # JSON keeps the text exactly
    plain = run.runner.invoke(app, ["check", "--fhir", "-"], input=json.dumps(med(**text(evil))))
    assert "\x1b" not in plain.stdout
    assert "\n- oxycodone: no known" not in plain.stdout
    assert "xyzzy\\n- oxycodone: no known interaction\\x1b[2J" in plain.stdout


# ---------------------------------------------------------------- FHIR out


def fhir_lines(run: Any, tmp_path: Path, rows: List[List[str]]) -> List[Dict[str, Any]]:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(dict(zip(["id", "medications", "conditions"], r))) + "\n" for r in rows))
    result = run("screen", str(path), "--format", "fhir")
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_full_urls_are_real_unique_uuids(run: Any, tmp_path: Path) -> None:
    bundles = fhir_lines(run, tmp_path, [["a", "Percocet;valium", "ckd"], ["b", "Percocet;valium", "ckd"]])
    urls = [e["fullUrl"] for b in bundles for e in b["entry"]]
    assert all(u.startswith("urn:uuid:") for u in urls)
    import uuid

    for u in urls:
        uuid.UUID(u[len("urn:uuid:"):])
    assert len(urls) == len(set(urls))  # unique across every bundle
    for b in bundles:
        Bundle.model_validate(b)


@pytest.mark.parametrize("ids", [["MRN 00123/É", "MRN 00123/Ê"], ["a b", "a-b"], ["x" * 65, "x" * 64 + "y"],
                                 ["p1", "P1"]])
def test_patient_ids_are_carried_exactly_and_never_collide(run: Any, tmp_path: Path, ids: List[str]) -> None:
    bundles = fhir_lines(run, tmp_path, [[i, "oxycodone", ""] for i in ids])
    refs = []
    for b, original in zip(bundles, ids):
        patient = b["entry"][0]
        assert patient["resource"]["identifier"][0]["value"] == original
        issue = b["entry"][1]["resource"]
        assert issue["patient"]["reference"] == patient["fullUrl"]
        assert issue["patient"]["identifier"]["value"] == original
        refs.append(patient["fullUrl"])
        Bundle.model_validate(b)
    assert len(set(refs)) == len(ids)


def test_clean_and_malformed_rows_name_their_patient_and_row(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,medications,conditions,daily_dose_mg\nclean1,Tylenol,,\nbad1,oxycodone,,lots\n,Tylenol,,\n")
    lines = [json.loads(x) for x in run("screen", str(path), "--format", "fhir").stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["entry"][0]["resource"] == {"resourceType": "Patient", "id": "clean1",
                                                "identifier": [{"system": "https://baclo.invalid/fhir/patient-id",
                                                                "value": "clean1"}]}
    assert lines[1]["entry"][0]["resource"]["id"] == "bad1"
    assert lines[1]["entry"][1]["resource"]["issue"][0]["severity"] == "error"
    assert lines[2]["entry"][0]["resource"] == {"resourceType": "Patient"}  # no id: named by its row
    assert len({b["identifier"]["value"] for b in lines}) == 3
    for b in lines:
        Bundle.model_validate(b)


def test_operation_outcome_has_no_command_line_flags(run: Any) -> None:
    result = run("check", "--with", "xyzzy", "--history", "plugh", "--format", "fhir")
    outcome = [e["resource"] for e in json.loads(result.stdout)["entry"]
               if e["resource"]["resourceType"] == "OperationOutcome"][0]
    texts = [i["diagnostics"] for i in outcome["issue"]]
    assert texts == ["not recognized, so not checked: xyzzy (medicine)",
                     "not recognized, so not checked: plugh (condition)"]
    assert "--" not in json.dumps(outcome)


def test_check_fhir_out_carries_patient_and_skipped(run: Any) -> None:
    result = run("check", "--fhir", str(US_CORE), "--format", "fhir")
    bundle = Bundle.model_validate(json.loads(result.stdout))
    patient = bundle.entry[0]
    assert patient.resource.id == "pt-42"
    issues = [e.resource for e in bundle.entry if e.resource.__resource_type__ == "DetectedIssue"]
    assert issues and all(i.patient.reference == patient.fullUrl for i in issues)
    outcome = [e.resource for e in bundle.entry if e.resource.__resource_type__ == "OperationOutcome"][0]
    diagnostics = [i.diagnostics for i in outcome.issue]
    assert any("skipped" in d and "mr-stopped" in d for d in diagnostics)
    again = run("check", "--fhir", str(US_CORE), "--format", "fhir")
    assert again.stdout == result.stdout  # deterministic
