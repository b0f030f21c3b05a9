"""New-user trial round 2 (newuser-2): how medication lines are read.

HIGH 1: a drug-named indication ("for opioid overdose") is not a drug taken. MEDIUM 5: a value of several
lines given with --with is split as --with-file splits it; commas inside brackets never split. MEDIUM 6:
ordinary EHR, UK and Canadian sig wording is read, and never vouches for a smaller baclofen dose.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import baclo_path

from baclofen_cli.inputs.options import split_values
from baclofen_cli.lines import daily_mg, split_value

EHR_LIST = Path(__file__).parent / "data" / "lines" / "ehr_list.txt"
NALOXONE = ("naloxone (NARCAN) 4 mg/actuation nasal spray, 1 spray into one nostril once as needed for opioid "
            "overdose")


def _item(run: Any, *args: str) -> Dict[str, Any]:
    code, data = run.json("check", *args)
    assert len(data["inputs"]) == 1, data["inputs"]
    item: Dict[str, Any] = data["inputs"][0]
    item["exit"] = code
    item["daily_dose_mg"] = data["daily_dose_mg"]
    item["findings"] = [f["title"] for f in data["findings"]]
    return item


# -- HIGH 1: an indication that names a drug ----------------------------------------------------

def test_naloxone_for_opioid_overdose_is_no_opioid(run: Any) -> None:
    result = run("check", "-w", NALOXONE, "-w", "gabapentin 300 mg TID", "--brief")
    assert "Opioid" not in result.stdout
    assert result.stdout.splitlines()[0] == "MODERATE: Gabapentinoids (gabapentin)"
    assert result.exit_code == 1  # a finding, every item read: nothing left not checked
    code, data = run.json("check", "-w", NALOXONE, "-w", "gabapentin 300 mg TID")
    assert [i["text"] for i in data["inputs"]] == [NALOXONE, "gabapentin 300 mg TID"]  # one item, not split
    assert data["inputs"][0]["resolved"] == ["naloxone"] and data["inputs"][0]["unaccounted"] == []


@pytest.mark.parametrize("line,name", [
    ("naloxone 4 mg nasal spray PRN opioid overdose", "naloxone"),
    ("senna 8.6 mg for opioid-induced constipation", "senna"),
    ("ondansetron 4 mg PRN nausea from opioids", "ondansetron"),
    ("docusate for constipation due to opioids", "docusate"),
    ("naloxone 4 mg nasal spray for known or suspected opioid overdose", "naloxone"),
])
def test_drug_named_indications_are_not_medicines(run: Any, line: str, name: str) -> None:
    item = _item(run, "-w", line)
    assert item["resolved"] == [name] and item["unaccounted"] == []
    assert not any("pioid" in f for f in item["findings"])


@pytest.mark.parametrize("line,kept", [
    ("oxycodone 5 mg PRN pain", "oxycodone"),  # PRN does not hide the medicine before it
    ("naloxone PRN opioid overdose and oxycodone 5 mg", "oxycodone"),  # a real second medicine stays
    ("ondansetron 4 mg PRN nausea from morphine", "morphine"),  # a named medicine is never indication words
    ("senna for opioid induced hyperalgesia", "Opioids"),  # a symptom nobody knows: the drug word stays
    ("naltrexone 50 mg for alcohol cravings", "Alcohol"),  # not a condition the file knows: stays a drug
    ("naloxone 4 mg opioid overdose", "Opioids"),  # no indication marker: read as written
])
def test_a_medicine_is_never_lost(run: Any, line: str, kept: str) -> None:
    item = _item(run, "-w", line)
    assert any(kept.lower() in r.lower() for r in item["resolved"]), item["resolved"]
    assert item["status"] == "flagged"


@pytest.mark.parametrize("line,caution", [
    ("buprenorphine 8 mg SL daily for opioid use disorder", "Substance misuse"),
    ("clonidine 0.1 mg for opioid withdrawal", "Substance misuse"),
    ("naltrexone 50 mg daily for alcohol use disorder", "Alcohol use disorder"),
    ("chlordiazepoxide 25 mg for alcohol withdrawal", "Alcohol use disorder"),
])
def test_a_use_disorder_in_an_indication_is_checked_as_a_caution(run: Any, line: str, caution: str) -> None:
    item = _item(run, "-w", line)
    assert item["unaccounted"] == []
    assert any(caution in f for f in item["findings"]), item["findings"]


# -- MEDIUM 5: one EHR line is one item, whichever way it is given ------------------------------

def test_with_of_several_lines_splits_as_with_file(run: Any) -> None:
    lines = [line for line in EHR_LIST.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == 19
    code_file, from_file = run.json("check", "--with-file", str(EHR_LIST))
    code_value, from_value = run.json("check", "--with", EHR_LIST.read_text(encoding="utf-8").strip())
    assert [i["text"] for i in from_file["inputs"]] == lines
    assert from_value == from_file and code_value == code_file
    by_text = {i["text"]: i for i in from_file["inputs"]}
    assert by_text[lines[1]]["resolved"] == ["lisinopril"] and by_text[lines[1]]["unaccounted"] == []
    assert by_text[lines[4]]["resolved"] == ["insulin glargine"] and by_text[lines[4]]["unaccounted"] == []
    assert from_file["daily_dose_mg"] == 30
    assert not any("pioid" in f["title"] for f in from_file["findings"])
    assert from_file["unrecognized"] == []  # every line of the list is read


def test_with_of_several_lines_installed(tmp_path: Path) -> None:
    text = EHR_LIST.read_text(encoding="utf-8")
    outputs: List[Any] = []
    for args in (["--with-file", str(EHR_LIST)], ["--with", text.strip()]):
        proc = subprocess.run([baclo_path(), "check", *args, "--json"], cwd=tmp_path, capture_output=True,
                              timeout=60, env={"BACLO_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 1, proc.stderr
        outputs.append(json.loads(proc.stdout))
    assert outputs[0] == outputs[1] and len(outputs[0]["inputs"]) == 19


@pytest.mark.parametrize("value,items", [
    ("lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet, Take 1 tablet by mouth daily, gabapentin 300 mg",
     ["lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet, Take 1 tablet by mouth daily", "gabapentin 300 mg"]),
    ("oxycodone [Roxicodone, Oxaydo] 5 mg, sertraline", ["oxycodone [Roxicodone, Oxaydo] 5 mg", "sertraline"]),
    ("oxycodone (5 mg, gabapentin", ["oxycodone (5 mg", "gabapentin"]),  # never closed: protects nothing
    ("oxycodone 5 mg), gabapentin", ["oxycodone 5 mg)", "gabapentin"]),
    ("vitamin D3 1,000 units, oxycodone", ["vitamin D3 1,000 units", "oxycodone"]),
    ("oxycodone, gabapentin\nsertraline 50 mg, 1 tab daily", ["oxycodone, gabapentin", "sertraline 50 mg, 1 tab daily"]),
])
def test_commas_in_brackets_never_split_and_lines_are_items(value: str, items: List[str]) -> None:
    assert split_value(value, "with") == items
    assert split_values([value], "--with") == items  # the options adapter splits the same way


def test_commas_in_brackets_in_check(run: Any) -> None:
    code, data = run.json("check", "-w", "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet, Take 1 tablet by mouth daily")
    assert [i["text"] for i in data["inputs"]] == [
        "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet, Take 1 tablet by mouth daily"]
    assert data["inputs"][0]["resolved"] == ["lisinopril"] and code == 1


def test_a_line_of_two_medicines_keeps_both(run: Any) -> None:
    code, data = run.json("check", "-w", "oxycodone 5 mg, gabapentin 300 mg\nsertraline")
    assert [i["text"] for i in data["inputs"]] == ["oxycodone 5 mg, gabapentin 300 mg", "sertraline"]
    assert set(data["inputs"][0]["resolved"]) == {"oxycodone", "gabapentin"}


# -- MEDIUM 6: ordinary sig wording ---------------------------------------------------------------

@pytest.mark.parametrize("line,name", [
    ("insulin glargine (LANTUS) 100 unit/mL injection, Inject 20 Units under the skin nightly", "insulin glargine"),
    ("SENOKOT-S 8.6-50 mg tablet", "docusate"),
    ("omeprazole 20mg OM", "omeprazole"),
    ("pregabalin 75mg b.d.", "pregabalin"),
    ("zolpidem 5mg q.h.s.", "zolpidem"),
    ("oxycodone 5mg 4-hourly PRN", "oxycodone"),
    ("paracetamol 500mg 2 tabs max 8 in 24h", "acetaminophen"),
    ("albuterol 2.5 mg/3 mL solution for nebulization", "albuterol"),
    ("lisinopril 10 mg daily Start date: 2026-01-01", "lisinopril"),
    ("metoprolol tartrate 25 mg tablet, take 1 tablet twice daily (Patient taking differently: 25 mg daily)",
     "metoprolol"),
    ("warfarin 5 mg as per INR", "warfarin"),
])
def test_sig_wording_is_read(run: Any, line: str, name: str) -> None:
    item = _item(run, "-w", line)
    assert item["unaccounted"] == [] and any(name.lower() in r.lower() for r in item["resolved"]), item


def test_long_term_current_use_of_insulin(run: Any) -> None:
    code, data = run.json("check", "-H", "Type 2 diabetes mellitus with hyperglycemia, with long-term current use of "
                          "insulin (HCC)")
    assert len(data["inputs"]) == 1 and data["inputs"][0]["unaccounted"] == [] and data["unrecognized"] == []


@pytest.mark.parametrize("line,mg", [
    ("Baclofen 10mg tablets ONE to be taken THREE times a day", 30),
    ("Baclofen 10mg tablets TWO to be taken FOUR times a day", 80),
    ("baclofen 10 mg tablet, one tablet to be taken three times a day", 30),
    ("baclofen 10 mg b.d.", 20), ("baclofen 10 mg B.I.D.", 20), ("baclofen 10 mg t.i.d.", 30),
    ("baclofen 10 mg t.d.s.", 30), ("baclofen 10 mg q.i.d.", 40), ("baclofen 10 mg q.h.s.", 10),
    ("baclofen 10 mg OM", 10), ("baclofen 10 mg t.i.d. and 20 mg q.h.s.", 50),
    ("baclofen 10 mg tid, start date: 2026-01-01", 30),
    ("baclofen 10 mg 6-hourly", 40), ("baclofen 10 mg 8 hourly", 30),
])
def test_baclofen_dose_in_uk_and_dotted_wording(run: Any, line: str, mg: int) -> None:
    assert daily_mg(line) == mg
    item = _item(run, "-w", line)
    assert item["status"] == "baclofen" and item["daily_dose_mg"] == mg and item["exit"] == 0


@pytest.mark.parametrize("line", [
    "baclofen 10 mg tid (Patient taking differently: 1 tab twice daily)",
    "baclofen 10 mg b.d. (Patient taking differently: 20 mg t.i.d.)",
    "Baclofen 10mg tablets ONE or TWO to be taken THREE times a day",
    "baclofen 5mg/5ml oral solution ONE to be taken THREE times a day",
    "baclofen 10 mg t.i.d. p.r.n.",
    "baclofen 10 mg 4-6 hourly",
    "baclofen 10 mg 5-hourly",
])
def test_baclofen_dose_never_vouched_for(run: Any, line: str) -> None:
    assert daily_mg(line) is None
    item = _item(run, "-w", line)
    assert item["status"] == "not-checked" and item["exit"] == 3 and item["daily_dose_mg"] is None


def test_a_long_bracket_never_joins_a_list_into_one_item() -> None:
    value = "see notes (" + ", ".join(["oxycodone 5 mg"] * 8) + ")"
    assert len(split_value(value, "with")) == 8
