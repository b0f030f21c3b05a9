"""Round-2 hostile-input review, FHIR and check findings (C3, C4, C5, C10, M2, M5, M6, M7, M8, m6, m7)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import baclo_path
from test_installed import run as run_installed

from baclofen_cli.cli import app

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


def bundle(*resources: Dict[str, Any]) -> Dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def statement(name: str, ident: str = "3") -> Dict[str, Any]:
    return {"resourceType": "MedicationStatement", "id": ident, "status": "active",
            "medicationCodeableConcept": {"text": name}}


def fhir_json(run: Any, payload: Any, *extra: str) -> Any:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json", *extra],
                               input=payload if isinstance(payload, str) else json.dumps(payload))
    return result.exit_code, (json.loads(result.stdout) if result.stdout.startswith("{") else None), result


def egfr(value: float) -> Dict[str, Any]:
    return {"resourceType": "Observation", "id": "k1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "33914-3"}]},
            "valueQuantity": {"value": value, "unit": "mL/min/1.73m2"}}


# ---------------------------------------------------------------- C3 kidney function from FHIR


def test_c3_egfr_8_from_fhir_gives_a_kidney_finding(run: Any) -> None:
    code, data, _ = fhir_json(run, egfr(8))
    assert code == 1
    assert [f["id"] for f in data["findings"]] == ["renal-end-stage"]  # round D 1: below 15 is end-stage
    assert data["renal"] == [{"measure": "egfr", "value": 8, "source": "Observation/k1"}]


def test_c3_a_normal_kidney_value_alone_says_what_was_checked(run: Any) -> None:
    code, data, _ = fhir_json(run, egfr(80))
    assert code == 0 and data["findings"] == []
    assert "kidney function eGFR 80 mL/min (Observation/k1)" in data["summary"]
    result = run.runner.invoke(app, ["check", "--fhir", "-"], input=json.dumps(egfr(80)))
    assert "Kidney function: eGFR 80 mL/min (Observation/k1)" in result.stdout
    assert "No findings: kidney function eGFR 80" in result.stdout


# ---------------------------------------------------------------- C4 allergies


@pytest.mark.parametrize("substance", ["baclofeno", "Baclofène", "baclophen", "peanuts and latex"])
def test_c4_allergy_not_known_as_another_medicine_is_not_checked(run: Any, substance: str) -> None:
    allergy = {"resourceType": "AllergyIntolerance", "id": "a1", "code": {"text": substance}}
    code, data, _ = fhir_json(run, bundle(allergy, statement("acetaminophen")))
    assert code == 3
    assert any(substance in u and "AllergyIntolerance/a1" in u for u in data["unrecognized"])
    assert not any("other than baclofen" in s["reason"] for s in data["skipped"])


@pytest.mark.parametrize("substance", ["penicillin", "tramadol"])
def test_c4_allergy_to_a_known_other_medicine_is_skipped_with_the_reason(run: Any, substance: str) -> None:
    allergy = {"resourceType": "AllergyIntolerance", "id": "a1", "code": {"text": substance}}
    code, data, _ = fhir_json(run, bundle(allergy, statement("acetaminophen")))
    assert code == 0
    skipped = {s["where"]: s["reason"] for s in data["skipped"]}
    assert skipped["AllergyIntolerance/a1"].startswith("an allergy to a medicine other than baclofen")


def test_c4_allergy_resolving_to_baclofen_is_the_baclofen_allergy(run: Any) -> None:
    allergy = {"resourceType": "AllergyIntolerance", "id": "a1", "code": {"text": "Penicillin"},
               "reaction": [{"substance": {"text": "baclofen 10 mg tablet"}}]}
    code, data, _ = fhir_json(run, allergy)
    assert code == 1 and data["highest_severity"] == "contraindicated"


# ---------------------------------------------------------------- C5 Parameters at any depth


def test_c5_parameters_parts_are_walked_at_any_depth(run: Any) -> None:
    payload = {"resourceType": "Parameters", "parameter": [
        {"name": "outer", "part": [{"name": "inner", "part": [{"name": "deep", "resource": statement("tramadol")}]}]}]}
    code, data, _ = fhir_json(run, payload)
    assert code == 1
    assert [i["text"] for i in data["inputs"]] == ["tramadol"]
    assert data["findings"][0]["id"] == "opioids"


# ---------------------------------------------------------------- M2 lone surrogates


def test_m2_lone_surrogate_is_not_checked_and_shown_escaped(run: Any) -> None:
    raw = ('{"resourceType":"MedicationStatement","id":"3","status":"active",'
           '"medicationCodeableConcept":{"text":"tramadol\\ud800"}}')
    code, data, _ = fhir_json(run, raw)
    assert code == 3
    assert data["unrecognized"] == ["tramadol\\ud800 (MedicationStatement/3)"]
    text = run.runner.invoke(app, ["check", "--fhir", "-"], input=raw)
    assert text.exit_code == 3 and "tramadol\\ud800" in text.stdout


def test_m2_lone_surrogate_installed_script_never_exits_70(tmp_path: Path) -> None:
    raw = b'{"resourceType":"Condition","code":{"text":"epilepsy\\udfff"},"subject":{"reference":"Patient/p\\ud800"}}'
    for extra in ([], ["--json"], ["--format", "fhir"]):
        proc = run_installed(["check", "--fhir", "-", *extra], tmp_path, stdin=raw)
        assert proc.returncode == 3, proc.stderr
        assert b"internal error" not in proc.stderr


# ---------------------------------------------------------------- M7 every name of a coding


def test_m7_icd10_display_is_checked_beside_its_code(run: Any) -> None:
    condition = {"resourceType": "Condition", "id": "c1",
                 "code": {"coding": [{"system": ICD10CM, "code": "J45.909", "display": "Epilepsy"}]}}
    code, data, _ = fhir_json(run, condition)
    assert {i["text"] for i in data["inputs"]} == {"ICD-10-CM J45.909", "Epilepsy"}
    assert "seizure-disorders" in {f["id"] for f in data["findings"]}
    assert code in (1, 4)


def test_m7_same_name_twice_is_one_item(run: Any) -> None:
    condition = {"resourceType": "Condition", "code": {"text": "epilepsy", "coding": [
        {"system": ICD10CM, "code": "G40.909", "display": "Epilepsy"}]}}
    _, data, _ = fhir_json(run, condition)
    assert [i["text"] for i in data["inputs"]] == ["epilepsy", "ICD-10-CM G40.909"]
    assert [f["id"] for f in data["findings"]] == ["seizure-disorders"]


# ---------------------------------------------------------------- m6 List, Composition, MedicationKnowledge, bad types


def test_m6_list_entries_in_the_file_are_read_and_missing_ones_not_checked(run: Any) -> None:
    listing = {"resourceType": "List", "id": "l1", "status": "current", "mode": "snapshot", "entry": [
        {"item": {"reference": "MedicationStatement/3"}},
        {"item": {"reference": "MedicationStatement/99", "display": "oxycodone 5 mg"}}]}
    code, data, _ = fhir_json(run, bundle(listing, statement("tramadol")))
    assert code == 4
    assert "tramadol" in [i["text"] for i in data["inputs"]]
    assert any("oxycodone 5 mg" in u and "List/l1 entry 2" in u for u in data["unrecognized"])


def test_m6_composition_narrative_section_not_checked(run: Any) -> None:
    composition = {"resourceType": "Composition", "id": "d1", "status": "final", "section": [
        {"title": "Medications", "text": {"status": "generated", "div": "<div>tramadol 50 mg</div>"}}]}
    code, data, _ = fhir_json(run, composition)
    assert code == 3
    assert any("Composition/d1 section 1" in u for u in data["unrecognized"])


def test_m6_medication_knowledge_names_a_medicine(run: Any) -> None:
    code, data, _ = fhir_json(run, {"resourceType": "MedicationKnowledge", "code": {"text": "tramadol"}})
    assert code == 1 and data["findings"][0]["id"] == "opioids"


@pytest.mark.parametrize("kind", [" MedicationStatement", "medicationstatement", "Medication Statement"])
def test_m6_resource_type_with_spaces_or_wrong_case_is_not_checked(run: Any, kind: str) -> None:
    resource = {**statement("tramadol"), "resourceType": kind}
    code, data, _ = fhir_json(run, bundle(resource, statement("acetaminophen", "4")))
    assert code == 3
    assert any("not a FHIR resource type" in i["hint"] and "MedicationStatement?" in i["hint"]
               for i in data["inputs"] if not i["recognized"])
    assert not any(s["where"] == "other resources" for s in data["skipped"])


# ---------------------------------------------------------------- m7 labels in text output


def test_m7_text_output_labels_fhir_items_by_resource(run: Any) -> None:
    payload = bundle(statement("xyzzymed"), {"resourceType": "Condition", "id": "c9", "code": {"text": "qwertyitis"}})
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--with", "plughmed"], input=json.dumps(payload))
    assert result.exit_code == 3
    assert "xyzzymed (MedicationStatement/3):" in result.stdout
    assert "qwertyitis (Condition/c9):" in result.stdout
    assert "plughmed (--with):" in result.stdout
    assert "xyzzymed (--with)" not in result.stdout


# ---------------------------------------------------------------- M8 lossless JSON in any encoding


def test_m8_check_json_and_fhir_lossless_under_ascii_stdout(tmp_path: Path) -> None:
    patient = {"resourceType": "Patient", "id": "x"}
    payload = bundle(patient, {**statement("tramadol"), "subject": {"reference": "Patient/x"},
                               "note": [{"text": "José"}]},
                     {"resourceType": "Condition", "code": {"text": "Jos€ 😀"}, "subject": {"reference": "Patient/x"}})
    raw = json.dumps(payload, ensure_ascii=False).encode()
    for extra in (["--json"], ["--format", "fhir"]):
        proc = run_installed(["check", "--fhir", "-", *extra], tmp_path, env={"PYTHONIOENCODING": "ascii"}, stdin=raw)
        assert proc.returncode == 4, proc.stderr
        assert proc.stdout.isascii()
        assert "Jos€ 😀" in json.dumps(json.loads(proc.stdout), ensure_ascii=False)


def test_m8_screen_fhir_lines_lossless_under_ascii_stdout(tmp_path: Path) -> None:
    (tmp_path / "ids.csv").write_text("id,medications,conditions\nJosé,tramadol,\nJos€,acetaminophen,\n", encoding="utf-8")
    proc = run_installed(["screen", "ids.csv", "--format", "fhir"], tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.isascii()
    ids = [json.loads(line)["entry"][0]["resource"]["identifier"][0]["value"] for line in proc.stdout.splitlines()]
    assert ids == ["José", "Jos€"]


# ---------------------------------------------------------------- C10 and M5: the knowledge cache


def _cache_files(cache: Path) -> List[Path]:
    return sorted(cache.glob("knowledge-*.json"))


def _rewrite(path: Path, edit: Any) -> None:
    """Edit a cache file's content and recompute its checksum (what a deliberate edit can do)."""
    from _blake2 import blake2b

    blob = path.read_bytes()
    end = blob.find(b"\n")
    header, lines = json.loads(blob[:end]), blob[end + 1:].split(b"\n")
    index = json.loads(lines[0])  # the name indexes and the parts' keys, then one line per part
    payload = {"medication_names": index["medication_names"], "condition_names": index["condition_names"],
               "data": {key: json.loads(line) for key, line in zip(index["parts"], lines[1:], strict=True)}}
    edit(payload)
    index = {"medication_names": payload["medication_names"], "condition_names": payload["condition_names"],
             "parts": list(payload["data"])}
    body = b"\n".join(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
                      for value in [index, *payload["data"].values()])
    header["checksum"] = blake2b(body, digest_size=32).hexdigest()
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


def _tramadol_to_acetaminophen(payload: Dict[str, Any]) -> None:
    payload["medication_names"]["tramadol"] = ["drug", "acetaminophen", "acetaminophen"]


def _check_tramadol(tmp_path: Path, cache: Path) -> Any:
    proc = run_installed(["check", "--with", "tramadol", "--history", "epilepsy", "--json"], tmp_path,
                         env={"BACLO_CACHE_DIR": str(cache)})
    return proc.returncode, json.loads(proc.stdout)


def test_c10_cache_dir_and_files_are_private(tmp_path: Path) -> None:
    cache = tmp_path / "new" / "cache"
    code, _ = _check_tramadol(tmp_path, cache)
    assert code == 1
    assert cache.stat().st_mode & 0o777 == 0o700
    (file,) = _cache_files(cache)
    assert file.stat().st_mode & 0o777 == 0o600


def test_c10_cache_writable_by_others_is_not_served(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _check_tramadol(tmp_path, cache)
    (file,) = _cache_files(cache)
    _rewrite(file, _tramadol_to_acetaminophen)
    os.chmod(file, 0o664)  # group-writable: someone else may have written it
    code, data = _check_tramadol(tmp_path, cache)
    assert code == 1 and "opioids" in {f["id"] for f in data["findings"]}
    assert file.stat().st_mode & 0o777 == 0o600  # replaced by a private, correct one
    _rewrite(file, _tramadol_to_acetaminophen)  # the same edit in a private file of one's own is served (the documented limit)
    code, data = _check_tramadol(tmp_path, cache)
    assert "opioids" not in {f["id"] for f in data["findings"]}


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give a file away")
def test_c10_cache_owned_by_another_user_is_not_served(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _check_tramadol(tmp_path, cache)
    (file,) = _cache_files(cache)
    _rewrite(file, _tramadol_to_acetaminophen)
    os.chown(file, 4242, 4242)
    code, data = _check_tramadol(tmp_path, cache)
    assert code == 1 and "opioids" in {f["id"] for f in data["findings"]}


@pytest.mark.parametrize("edit", [
    lambda p: p["medication_names"].__setitem__("tramadol", 5),
    lambda p: p["medication_names"].__setitem__("tramadol", ["drug"]),
    lambda p: p["data"].__setitem__("interactions", 7),
    lambda p: p["data"].__setitem__("cautions", [{"x": 1}]),
    lambda p: p["data"].__setitem__("combinations", "zz"),
    lambda p: p["data"]["dosing"].__setitem__("renal_bands", [None]),
    lambda p: p["data"].__setitem__("meta", 3),
], ids=["name-int", "name-short", "interactions-int", "cautions-shape", "combinations-text", "bands", "meta"])
def test_m5_cache_of_the_wrong_shape_with_valid_checksum_is_rebuilt(tmp_path: Path, edit: Any) -> None:
    cache = tmp_path / "cache"
    code, expected = _check_tramadol(tmp_path, cache)
    (file,) = _cache_files(cache)
    _rewrite(file, edit)
    for _ in range(2):  # the damaged cache is rebuilt, then served as good
        proc = run_installed(["check", "--with", "tramadol", "--history", "epilepsy", "--egfr", "20", "--json"],
                             tmp_path, env={"BACLO_CACHE_DIR": str(cache)})
        assert proc.returncode == 1, proc.stderr
        assert {f["id"] for f in json.loads(proc.stdout)["findings"]} >= {f["id"] for f in expected["findings"]}


def test_a_cache_part_that_is_not_json_is_rebuilt_when_first_used(tmp_path: Path) -> None:
    """Each part of the cache is decoded on first use: a damaged line fails then, and the YAML is read instead."""
    from _blake2 import blake2b

    cache = tmp_path / "cache"
    code, expected = _check_tramadol(tmp_path, cache)
    (file,) = _cache_files(cache)
    blob = file.read_bytes()
    end = blob.find(b"\n")
    header, lines = json.loads(blob[:end]), blob[end + 1:].split(b"\n")
    lines[1 + json.loads(lines[0])["parts"].index("interactions")] = b'{"broken'
    body = b"\n".join(lines)
    header["checksum"] = blake2b(body, digest_size=32).hexdigest()
    file.write_bytes(json.dumps(header).encode() + b"\n" + body)
    code2, data = _check_tramadol(tmp_path, cache)
    assert code2 == code == 1
    assert data["findings"] == expected["findings"]


# ---------------------------------------------------------------- M6 Ctrl-C during start-up


def test_m6_ctrl_c_while_importing_is_interrupted_exit_130(tmp_path: Path) -> None:
    """SIGINT arrives exactly when Typer is being imported: one line, exit 130, no traceback."""
    script = (
        "import builtins, os, signal\n"
        "from baclofen_cli import launch\n"
        "real = builtins.__import__\n"
        "def hooked(name, *args, **kwargs):\n"
        "    if name == 'typer':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = hooked\n"
        "import sys; sys.argv = ['baclo', '--version']\n"
        "launch.main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, timeout=60)
    assert proc.returncode == 130
    assert proc.stderr == b"baclo: interrupted\n"
    assert proc.stdout == b""


def test_m6_ctrl_c_after_start_up_is_still_handled_by_the_command(tmp_path: Path) -> None:
    """Once running, Ctrl-C is a KeyboardInterrupt again (commands clean up): exit 130, one line."""
    rows = "id,medications,conditions\n" + "".join(f"P{i},tramadol,\n" for i in range(400_000))
    (tmp_path / "big.csv").write_text(rows)
    proc = subprocess.Popen([baclo_path(), "screen", "big.csv", "--out", "out.csv"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "BACLO_CACHE_DIR": str(tmp_path / "cache")})
    import time

    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 1:
        pytest.skip("the run finished before the interrupt")
    assert proc.returncode == 130
    assert b"Traceback" not in err and b"interrupted" in err
    assert not (tmp_path / "out.csv").exists()


def test_m6_installed_script_uses_the_launcher() -> None:
    assert "baclofen_cli.launch" in Path(baclo_path()).read_text()
