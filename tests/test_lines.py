"""The medication and condition line reader: every word accounted for, or the item is never clear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Set

import pytest

from baclofen_cli.check import check
from baclofen_cli.lines import daily_mg, split_value
from baclofen_cli.resolve import HISTORY, WITH, Resolver, renal_from_condition, split_items


@pytest.fixture(scope="module")
def resolver(knowledge: Any) -> Resolver:
    return Resolver(knowledge)


def _refs(knowledge: Any, resolver: Resolver, text: str, kind: str = WITH) -> Set[str]:
    res = resolver.resolve(text, kind)
    out: Set[str] = set()
    for t in res.targets:
        out.update(knowledge.products_by_name[t.ref].ingredients if t.kind == "product" else (t.ref,))
    return out


# -- text that must never be cleaned into something else ---------------------------------------

@pytest.mark.parametrize("text", ["Tylenol \u0420\u041c", "\u0422ylenol", "Tylenol \u0440\u043c 500 mg",
                                  "sertraline (\u820d\u66f2\u6797)"])
def test_non_latin_letters_are_never_deleted(resolver: Resolver, text: str) -> None:
    res = resolver.resolve(text, WITH)
    assert not res.complete
    assert res.unaccounted, "the foreign word is reported"


@pytest.mark.parametrize("text,codeine", [
    ("Tylenol #1", True), ("Tylenol No. 1", True), ("Tylenol 1", True), ("Tylenol #2", True),
    ("Tylenol No. 2", True), ("Tylenol #3", True), ("Tylenol No. 3", True), ("Tylenol No.4", True),
    ("Tylenol #4", True), ("Tylenol with Codeine #3", True), ("Tylenol 500 mg", False), ("Tylenol", False),
])
def test_product_numbers_are_data_not_strength(knowledge: Any, resolver: Resolver, text: str, codeine: bool) -> None:
    refs = _refs(knowledge, resolver, text)
    assert ("codeine" in refs) is codeine
    assert "acetaminophen" in refs
    assert resolver.resolve(text, WITH).complete


def test_an_unknown_product_number_leaves_the_item_partly_checked(resolver: Resolver) -> None:
    res = resolver.resolve("Tylenol with Codeine #7", WITH)
    assert res.recognized and res.unaccounted == ("7",)


@pytest.mark.parametrize("text", ["no opioids", "not taking alcohol", "denies alcohol", "stopped oxycodone",
                                  "oxycodone - discontinued", "oxycodone (stopped 2024)", "none"])
def test_negations_are_never_clear(knowledge: Any, resolver: Resolver, text: str) -> None:
    res = resolver.resolve(text, WITH)
    assert not res.complete
    assert check(knowledge, [res]).unrecognized == (text,)


@pytest.mark.parametrize("text", ["no history of seizures", "denies seizures", "family history of epilepsy",
                                  "r/o MS", "no kidney disease"])
def test_negated_conditions_are_never_clear(knowledge: Any, resolver: Resolver, text: str) -> None:
    res = resolver.resolve(text, HISTORY)
    assert not res.complete
    assert check(knowledge, [res]).unrecognized == (text,)


def test_sig_limits_are_not_negations(resolver: Resolver) -> None:
    res = resolver.resolve("oxycodone 5 mg q4h prn, not to exceed 6 tabs/day", WITH)
    assert res.complete and [t.ref for t in res.targets] == ["oxycodone"]


@pytest.mark.parametrize("text,missing", [("Excedrin Plus", "plus"), ("Aleve Night", "night"), ("Tylenol Cold", "cold"),
                                          ("oxycodone 5 mg per Dr Smith", "smith"),
                                          ("Tylenol for pain and oxycodon", "oxycodon")])
def test_a_word_nobody_knows_leaves_the_item_partly_checked(knowledge: Any, resolver: Resolver,
                                                            text: str, missing: str) -> None:
    res = resolver.resolve(text, WITH)
    assert res.recognized and missing in res.unaccounted
    result = check(knowledge, [res])
    assert result.unrecognized == (text,), "counts as not checked"


def test_partly_checked_items_keep_their_findings_and_exit_status_says_not_checked(run: Any) -> None:
    code, payload = run.json("check", "--with", "oxycodone 5 mg per Dr Smith")
    assert code == 4
    assert any(f["id"] == "opioids" for f in payload["findings"])
    assert payload["unrecognized"] == ["oxycodone 5 mg per Dr Smith"]


def test_names_win_over_indications(knowledge: Any, resolver: Resolver) -> None:
    assert _refs(knowledge, resolver, "Tylenol for pain and oxycodone") == {"acetaminophen", "oxycodone"}


# -- the baclofen line gives the daily dose ----------------------------------------------------

@pytest.mark.parametrize("text,mg", [
    ("baclofen 10 mg TID", 30.0), ("baclofen 5 mg po tid", 15.0),
    ("Baclofen 10 MG Oral Tablet, 1 tab three times daily", 30.0), ("baclofen 10 mg, 2 tabs BID", 40.0),
    ("baclofen 20 mg QID", 80.0), ("Lioresal 10mg TDS", 30.0), ("baclofen 10 mg at bedtime", 10.0),
    ("baclofen 5 mg 1/2 tab TID", 7.5),
    ("baclofen 10 mg", None), ("baclofen 10 mg TID PRN spasm", None), ("baclofen 5-10 mg TID", None),
    ("baclofen 5 mg/5 mL 10 mL TID", 30.0), ("baclofen 20 mg q4h", 120.0), ("baclofen 20 mg 1-2 tabs tid", None),
])
def test_daily_dose_from_a_baclofen_line(resolver: Resolver, text: str, mg: Any) -> None:
    item = split_items([text], WITH)[0]
    assert resolver.resolve(item, WITH).daily_mg == mg
    assert daily_mg(item) == mg


def test_only_a_baclofen_line_carries_a_daily_dose(resolver: Resolver) -> None:
    assert resolver.resolve("gabapentin 300 mg TID", WITH).daily_mg is None


# -- conditions with stages and measures --------------------------------------------------------

@pytest.mark.parametrize("text,entry,measure,value", [
    ("CKD stage 4", "ckd-stage-4", "egfr", 29.0), ("CKD 3b", "ckd-stage-3", "egfr", 44.0),
    ("CKD stage 3a", "ckd-stage-3a", "egfr", 59.0), ("stage 5 CKD", "kidney-failure", "egfr", 14.0),
    ("ESRD on HD", "kidney-failure", "egfr", 14.0), ("on haemodialysis", "kidney-failure", "egfr", 14.0),
    ("eGFR 25", "ckd-stage-4", "egfr", 25.0), ("eGFR 12", "kidney-failure", "egfr", 12.0),
    ("CrCl 30 mL/min", "ckd-stage-3", "crcl", 30.0), ("N18.4", "ckd-stage-4", "egfr", 29.0),
    ("N18.6", "kidney-failure", "egfr", 14.0), ("Z99.2", "kidney-failure", "egfr", 14.0),
    ("Chronic kidney disease stage 3 (HCC)", "ckd-stage-3", "egfr", 59.0), ("CKD IV", "ckd-stage-4", "egfr", 29.0),
    ("CKD stage IIIb", "ckd-stage-3", "egfr", 44.0), ("ESKD on PD", "kidney-failure", "egfr", 14.0),
])
def test_kidney_stages_carry_their_severity(resolver: Resolver, text: str, entry: str, measure: str,
                                            value: float) -> None:
    res = resolver.resolve(text, HISTORY)
    assert res.complete and [t.ref for t in res.targets] == [entry]
    renal = renal_from_condition(text)
    assert renal is not None and (renal.measure, renal.value) == (measure, value)


@pytest.mark.parametrize("text", ["AKI", "CKD", "hypertension", "no kidney disease", "eGFR 250", "CKD stage 1"])
def test_no_renal_value_where_none_is_stated(text: str) -> None:
    assert renal_from_condition(text) is None


@pytest.mark.parametrize("text,entry", [
    ("h/o seizures", "seizure-disorders"), ("history of stroke", "stroke"), ("T2DM", "diabetes"),
    ("type 2 diabetes mellitus without complications", "diabetes"), ("OSA on CPAP", "respiratory-disease"),
    ("Multiple sclerosis (HCC)", "Multiple sclerosis"), ("G40.A09", "seizure-disorders"),
    ("ICD-10-CM N18.5", "kidney-failure"), ("E11.65", "diabetes"), ("RRMS", "Multiple sclerosis"),
])
def test_conditions_as_written_in_records(resolver: Resolver, text: str, entry: str) -> None:
    res = resolver.resolve(text, HISTORY)
    assert res.complete and [t.ref for t in res.targets] == [entry]


def test_unknown_icd_codes_are_not_checked_and_get_no_misleading_suggestion(resolver: Resolver) -> None:
    res = resolver.resolve("Q99.9", HISTORY)
    assert not res.recognized and res.suggestions == ()


# -- splitting values into items ----------------------------------------------------------------

@pytest.mark.parametrize("value,items", [
    ("vitamin D3 1,000 units, oxycodone", ["vitamin D3 1,000 units", "oxycodone"]),
    ("oxycodone\ngabapentin\r\nsertraline", ["oxycodone", "gabapentin", "sertraline"]),
    ("Baclofen 10 MG Oral Tablet, 1 tab three times daily", ["Baclofen 10 MG Oral Tablet, 1 tab three times daily"]),
    ("gabapentin 300 mg, 1 cap PO TID, sertraline 50 mg", ["gabapentin 300 mg, 1 cap PO TID", "sertraline 50 mg"]),
    ("a,,b, ,c", ["a", "b", "c"]),
])
def test_split_medications(value: str, items: list) -> None:
    assert split_value(value, WITH) == items


def test_split_conditions_keeps_icd_style_continuations() -> None:
    assert split_value("Chronic kidney disease, stage 4 (severe), Multiple sclerosis", HISTORY) == [
        "Chronic kidney disease, stage 4 (severe)", "Multiple sclerosis"]


def test_first_word_suggestion(resolver: Resolver) -> None:
    res = resolver.resolve("oxycodone zzqx", WITH)
    assert res.recognized  # a name with an unknown word: partly checked
    res = resolver.resolve("oxycodonee 5 mg", WITH)
    assert not res.recognized and res.suggestions


# -- whole lists --------------------------------------------------------------------------------

EHR = """HYDROcodone-acetaminophen (NORCO) 5-325 MG per tablet, Take 1 tablet by mouth every 6 hours as needed for pain
gabapentin (NEURONTIN) 300 MG capsule, Take 1 capsule (300 mg total) by mouth 3 times daily
sertraline (ZOLOFT) 50 MG tablet, Take 1 tablet by mouth daily
lisinopril 10 MG tablet, 1 tab PO daily
zolpidem tartrate 10 MG Oral Tablet, 1 tab PO qHS PRN insomnia
24 HR Oxycodone Hydrochloride 10 MG Extended Release Oral Tablet [Oxycontin]
baclofen 10 mg TID
"""
TIDY = ["hydrocodone", "acetaminophen", "gabapentin", "sertraline", "lisinopril", "zolpidem", "oxycodone", "baclofen"]
EHR_HISTORY = "Chronic kidney disease stage 3 (HCC)\nMultiple sclerosis (HCC)\nOSA on CPAP\n"
TIDY_HISTORY = ["chronic kidney disease stage 3", "multiple sclerosis", "obstructive sleep apnea"]


def _finding_keys(payload: Any) -> Set[Any]:
    return {(f["id"], f["severity"]) for f in payload["findings"]}


def test_an_ehr_list_checks_like_the_tidy_list(run: Any, tmp_path: Path) -> None:
    meds = tmp_path / "meds.txt"
    meds.write_text(EHR, encoding="utf-8")
    history = tmp_path / "history.txt"
    history.write_text(EHR_HISTORY, encoding="utf-8")
    code, pasted = run.json("check", "--with-file", str(meds), "--history-file", str(history))
    args = [a for m in TIDY for a in ("--with", m)] + [a for c in TIDY_HISTORY for a in ("--history", c)]
    tidy_code, tidy = run.json("check", *args, "--daily-dose", "30")  # the pasted baclofen line says 10 mg TID
    assert pasted["unrecognized"] == [] and tidy["unrecognized"] == []
    assert _finding_keys(pasted) == _finding_keys(tidy)
    assert code == tidy_code == 1
    assert len(pasted["inputs"]) == 7 + 3


UK = ["co-codamol 30/500 2 tabs QDS PRN", "Zimovane 7.5mg nocte", "Oramorph 10mg/5ml 2.5-5ml PRN",
      "Piriton 4mg TDS", "co-careldopa 25/100 TDS", "Nurofen Plus", "frusemide 40mg mane"]
UK_TIDY = ["codeine", "acetaminophen", "zopiclone", "morphine", "chlorpheniramine", "carbidopa", "levodopa",
           "ibuprofen", "furosemide"]


def test_a_uk_list_with_co_names_checks_like_the_tidy_list(run: Any) -> None:
    code, uk = run.json("check", "--with", "\n".join(UK))
    tidy_code, tidy = run.json("check", *[a for m in UK_TIDY for a in ("--with", m)])
    assert uk["unrecognized"] == []
    assert _finding_keys(uk) == _finding_keys(tidy)
    assert code == tidy_code


def test_with_file_reads_standard_input(run: Any) -> None:
    result = run.runner.invoke(__import__("baclofen_cli.cli", fromlist=["app"]).app,
                               ["check", "--with-file", "-", "--json"], input="oxycodone 5 mg PO q6h PRN\n\nxyzzy\n")
    payload = json.loads(result.stdout)
    assert [i["text"] for i in payload["inputs"]] == ["oxycodone 5 mg PO q6h PRN", "xyzzy"]
    assert result.exit_code == 4


@pytest.mark.parametrize("args", [["--with", "--json"], ["--history", "--json"], ["--with", "-w", "x"],
                                  ["--with", "--history", "ckd"]])
def test_an_option_given_as_a_value_is_a_usage_error(run: Any, args: list) -> None:
    result = run("check", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    if args[-1] == "--json":
        assert f"{args[0]} was given no value" in result.output


def test_list_file_errors_are_usage_errors(run: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"oxycodone\n\xff\xfe\n")
    for args in (["--with-file", str(bad)], ["--with-file", str(tmp_path / "missing.txt")],
                 ["--with-file", str(tmp_path)], ["--with-file", "-", "--history-file", "-"]):
        result = run("check", *args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_an_empty_list_file_is_nothing_to_check(run: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert run("check", "--with-file", str(empty)).exit_code == 2


def test_a_bom_is_not_part_of_the_first_item(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffoxycodone\n".encode("utf-8"))
    code, payload = run.json("check", "--with-file", str(path))
    assert payload["inputs"][0]["text"] == "oxycodone" and payload["unrecognized"] == []


def test_installed_script_reads_a_pasted_list_from_standard_input(tmp_path: Path) -> None:
    from test_installed import run as run_installed

    proc = run_installed(["check", "--with-file", "-", "--history", "CKD stage 4", "--json"], tmp_path,
                         stdin=EHR.encode("utf-8"))
    payload = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    assert payload["unrecognized"] == []
    assert {"opioids", "gabapentinoids", "ckd-stage-4"} <= {f["id"] for f in payload["findings"]}
    proc = run_installed(["check", "--with", "--json"], tmp_path)
    assert proc.returncode == 2 and b"--with was given no value" in proc.stderr
