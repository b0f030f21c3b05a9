"""The clinical reviews of 2026-11-24: every corrected HIGH case, through the CLI, in both wordings.

Findings are read from ``--json``; the professional and the patient wording must both carry the
finding (the grade never depends on the audience) and the patient text must be the plain one.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from test_installed import run as run_installed

from baclofen_cli.check import check
from baclofen_cli.resolve import WITH, Resolver

AUDIENCES = ("professional", "patient")


def _check(run: Any, *args: str, audience: str = "professional") -> Tuple[int, Dict[str, Any]]:
    code, data = run.json("check", *args, "--audience", audience)
    return code, data


def _by_id(data: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {f["id"]: f for f in data["findings"]}


def _severities(data: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in data["findings"]}


# (review, args, finding id expected, severity expected)
HIGH_CASES: List[Tuple[str, List[str], str, str]] = [
    ("comed-1 Tylenol #1", ["--with", "Tylenol #1"], "opioids", "major"),
    ("comed-1 Tylenol No. 1", ["--with", "Tylenol No. 1"], "opioids", "major"),
    ("comed-1 Tylenol 2", ["--with", "Tylenol 2"], "opioids", "major"),
    ("comed-1 Tylenol No. 3", ["--with", "Tylenol No. 3"], "opioids", "major"),
    ("comed-2 brimonidine", ["--with", "Alphagan"], "centrally-acting-antihypertensives", "minor"),
    ("comed-3 ciprofloxacin", ["--with", "ciprofloxacin"], "fluoroquinolones", "moderate"),
    ("comed-3 levofloxacin", ["--with", "Levaquin"], "fluoroquinolones", "moderate"),
    ("comed-4 progesterone", ["--with", "Prometrium"], "other-sedating", "moderate"),
    ("comed-5 hydroxychloroquine", ["--with", "Plaquenil"], "cns-toxicity", "moderate"),
    ("comed-6 valacyclovir", ["--with", "Valtrex"], "cns-toxicity-valacyclovir", "moderate"),
    ("comed-6 acyclovir", ["--with", "aciclovir"], "cns-toxicity-acyclovir", "moderate"),
    ("comed-7 metronidazole", ["--with", "Flagyl"], "cns-toxicity", "moderate"),
    ("comed-7 interferon beta", ["--with", "Avonex"], "cns-toxicity", "moderate"),
    ("comed-8 IV vancomycin", ["--with", "vancomycin injection"], "kidney-function", "moderate"),
    ("comed-8 Truvada", ["--with", "Truvada"], "kidney-function", "moderate"),
    ("comed-8 mesalamine", ["--with", "Lialda"], "kidney-function", "moderate"),
    ("comed-8 methotrexate", ["--with", "methotrexate"], "kidney-function", "moderate"),
    ("ref-1 hypertension", ["--history", "hypertension"], "hypertension", "minor"),
    ("ref-1 I10", ["--history", "I10"], "hypertension", "minor"),
    ("ref-2 depression", ["--history", "depression"], "depressive-manic", "moderate"),
    ("ref-2 bipolar F31.2", ["--history", "F31.2"], "depressive-manic", "moderate"),
    ("ref-2 F32.3", ["--history", "F32.3"], "depressive-manic", "moderate"),
    ("ref-2 mania", ["--history", "mania"], "depressive-manic", "moderate"),
    ("ref-2 suicidal thoughts", ["--history", "suicidal thoughts"], "suicidality", "major"),
    ("ref-2 drug abuse", ["--history", "drug abuse"], "substance-misuse", "moderate"),
    ("ref-2 parkinsons", ["--history", "parkinsons"], "parkinsons", "moderate"),
    ("ref-2 G20", ["--history", "G20"], "parkinsons", "moderate"),
    ("ref-2 porphyria", ["--history", "porphyria"], "porphyria", "moderate"),
    ("ref-2 E80.2", ["--history", "E80.2"], "porphyria", "moderate"),
    ("ref-2 alcoholism", ["--history", "alcoholism"], "alcoholism", "moderate"),
    ("ref-2 F10.20", ["--history", "F10.20"], "alcoholism", "moderate"),
    ("ref-3 peptic ulcer disease", ["--history", "peptic ulcer disease"], "active-peptic-ulcer", "contraindicated"),
    ("ref-3 stomach ulcer", ["--history", "stomach ulcer"], "active-peptic-ulcer", "contraindicated"),
    ("ref-4 CKD stage 4 at 80 mg", ["--history", "CKD stage 4", "--daily-dose", "80"], "renal-severe", "major"),
    ("ref-4 N18.4 at 80 mg", ["--history", "N18.4", "--daily-dose", "80"], "renal-severe", "major"),
    ("ref-4 eGFR 25", ["--egfr", "25", "--daily-dose", "30"], "renal-severe", "major"),
    ("ref-4 CrCl 28", ["--crcl", "28", "--daily-dose", "15"], "renal-severe", "moderate"),
    ("ref-4 CrCl 40", ["--crcl", "40", "--daily-dose", "40"], "renal-moderate", "moderate"),
    ("ref-4 eGFR 65", ["--egfr", "65", "--daily-dose", "40"], "renal-mild", "minor"),
]


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("label,args,finding,severity", HIGH_CASES, ids=[c[0] for c in HIGH_CASES])
def test_high_case_is_flagged_at_the_right_grade(run: Any, label: str, args: List[str], finding: str,
                                                 severity: str, audience: str) -> None:
    code, data = _check(run, *args, audience=audience)
    assert code == 1, data
    found = _by_id(data)
    assert finding in found, sorted(found)
    assert found[finding]["severity"] == severity
    assert all(i["status"] != "no-known-interaction" and i["status"] != "no-known-caution" for i in data["inputs"])


@pytest.mark.parametrize("args,finding", [
    (["--with", "Imodium", "--with", "Benadryl"], "antidiarrhoeal-opioids"),
    (["--with", "loperamide, diphenhydramine"], "antidiarrhoeal-opioids"),
])
def test_loperamide_is_not_a_cns_depressant_opioid(run: Any, args: List[str], finding: str) -> None:
    for audience in AUDIENCES:
        code, data = _check(run, *args, audience=audience)
        sev = _severities(data)
        assert "opioid-with-depressant" not in sev and "depressants-together" not in sev
        assert sev[finding] == "minor"
        text = json.dumps(data["findings"]).lower()
        assert "coma" not in text and "naloxone" not in text and "slow your breathing" not in text


def test_melatonin_and_chamomile_stay_minor_with_fitting_text(run: Any) -> None:
    for audience in AUDIENCES:
        code, data = _check(run, "--with", "melatonin, chamomile", audience=audience)
        assert set(_severities(data).values()) == {"minor"}
        melatonin = [f for f in data["findings"] if "melatonin" in f["matched"]][0]
        assert "slowed breathing" not in melatonin["effect"] and "z-drug" not in melatonin["title"].lower()


@pytest.mark.parametrize("args,rule", [
    (["--with", "melatonin", "--history", "COPD"], "depressant-with-respiratory-disease"),
    (["--with", "linezolid, gabapentin"], "depressants-together"),
    (["--with", "Allegra", "--history", "CKD"], "sedating-with-kidney-disease"),
])
def test_minor_members_do_not_raise_combinations(run: Any, args: List[str], rule: str) -> None:
    _, data = _check(run, *args)
    assert rule not in _severities(data)


def test_two_anticonvulsants_are_a_moderate_combination_not_major(run: Any) -> None:
    _, data = _check(run, "--with", "levetiracetam, topiramate")
    assert _severities(data)["depressants-together"] == "moderate"
    assert "fda-dsc-2016" not in _by_id(data)["depressants-together"]["sources"]


def test_opioid_with_benzodiazepine_is_still_major(run: Any) -> None:
    _, data = _check(run, "--with", "oxycodone, Xanax")
    assert _severities(data)["opioid-with-depressant"] == "major"


def test_lasmiditan_with_oxycodone_is_a_combination(run: Any) -> None:
    _, data = _check(run, "--with", "Reyvow, oxycodone")
    assert _severities(data)["opioid-with-depressant"] == "major"


@pytest.mark.parametrize("med", ["ciprofloxacin", "bupropion", "Ampyra", "tramadol"])
def test_seizure_threshold_medicine_with_epilepsy_is_major(run: Any, med: str) -> None:
    for audience in AUDIENCES:
        _, data = _check(run, "--with", med, "--history", "epilepsy", audience=audience)
        assert _severities(data)["seizure-drug-with-epilepsy"] == "major"


def test_seizure_threshold_medicine_alone_is_flagged(run: Any) -> None:
    _, data = _check(run, "--with", "bupropion")
    assert _severities(data) == {"cns-toxicity": "moderate"}


@pytest.mark.parametrize("med", ["ibuprofen", "Truvada", "vancomycin injection"])
def test_kidney_harming_medicine_with_kidney_disease_is_major(run: Any, med: str) -> None:
    for audience in AUDIENCES:
        _, data = _check(run, "--with", med, "--history", "CKD", audience=audience)
        assert _severities(data)["kidney-drug-with-kidney-disease"] == "major"


def test_oral_vancomycin_is_harmless_with_its_review_recorded(run: Any, knowledge: Any) -> None:
    code, data = _check(run, "--with", "Vancocin")
    assert code == 0 and data["inputs"][0]["status"] == "no-known-interaction"
    entry = [d for d in knowledge.no_known_interaction.drugs if d.name == "vancomycin oral"][0]
    assert entry.reviewed is not None and "kidney" in dict(entry.reviewed.judged)


def test_every_harmless_entry_records_its_label_review(knowledge: Any) -> None:
    from baclofen_cli.knowledge.model import EFFECTS

    for drug in knowledge.no_known_interaction.drugs:
        assert drug.reviewed is not None, drug.name
        covered = set(drug.reviewed.none_of) | {e for e, _ in drug.reviewed.judged}
        assert covered == set(EFFECTS), drug.name


def test_excedrin_pm_has_its_aspirin(run: Any) -> None:
    _, data = _check(run, "--with", "Excedrin PM")
    assert {"sedating-antihistamines", "kidney-function"} <= set(_severities(data))


@pytest.mark.parametrize("word,strictest", [("antidepressants", "moderate"), ("sleeping pills", "moderate")])
def test_a_vague_class_word_takes_the_strictest_grade_and_says_so(run: Any, word: str, strictest: str) -> None:
    for audience in AUDIENCES:
        _, data = _check(run, "--with", word, audience=audience)
        (finding,) = data["findings"]
        assert finding["severity"] == strictest
        assert "could mean" in finding["title"] and any("strictest" in n for n in finding["notes"])


# ---------------------------------------------------------------- baclofen itself


def test_baclofen_in_the_list_is_the_drug_checked_not_a_duplicate(run: Any) -> None:
    for name in ("baclofen", "Lioresal", "Ozobax", "Fleqsuvy", "Lyvispah", "Kemstro"):
        code, data = _check(run, "--with", name)
        assert code == 0, name
        assert data["findings"] == []
        assert data["inputs"][0]["status"] == "baclofen"  # the medicine being checked, never "no known interaction"


def test_intrathecal_baclofen_has_its_own_wording(run: Any) -> None:
    for audience in AUDIENCES:
        code, data = _check(run, "--with", "Gablofen", "--with", "baclofen", audience=audience)
        found = _by_id(data)
        assert found["baclofen-intrathecal"]["severity"] == "moderate"
        assert "80 mg" not in found["baclofen-intrathecal"]["effect"]


def test_a_baclofen_line_gives_the_daily_dose(knowledge: Any) -> None:
    res = Resolver(knowledge).resolve("baclofen", WITH)._replace(text="baclofen 30 mg QID", daily_mg=120.0)
    result = check(knowledge, [res])
    assert result.daily_dose_mg == 120
    assert {f.id: f.severity for f in result.findings}["dose-maximum"] == "major"


def test_an_explicit_dose_wins_and_a_disagreement_is_shown(knowledge: Any) -> None:
    res = Resolver(knowledge).resolve("baclofen", WITH)._replace(text="baclofen 10 mg TID", daily_mg=30.0)
    result = check(knowledge, [res], daily_dose_mg=60)
    assert result.daily_dose_mg == 60
    assert {f.id for f in result.findings} == {"dose-disagreement"}
    agree = check(knowledge, [res], daily_dose_mg=30)
    assert agree.findings == ()


def test_two_oral_baclofen_lines_add_up(knowledge: Any) -> None:
    r = Resolver(knowledge)
    a = r.resolve("baclofen", WITH)._replace(text="baclofen 20 mg TID", daily_mg=60.0)
    b = r.resolve("Ozobax", WITH)._replace(daily_mg=30.0)
    result = check(knowledge, [a, b])
    assert result.daily_dose_mg == 90
    ids = {f.id for f in result.findings}
    assert {"baclofen-more-than-one", "dose-maximum"} <= ids


# ---------------------------------------------------------------- country and kidney


def test_the_maximum_is_graded_against_the_strictest_country_and_shows_each(run: Any) -> None:
    _, data = _check(run, "--daily-dose", "90")
    finding = _by_id(data)["dose-maximum"]
    assert finding["severity"] == "major"
    notes = " ".join(finding["notes"])
    assert "US: 80" in notes and "UK: 100" in notes and "Canada: 80" in notes


def test_a_named_country_uses_its_own_maximum(run: Any) -> None:
    code, data = _check(run, "--daily-dose", "90", "--country", "uk")
    assert "dose-maximum" not in _severities(data) and code == 0
    code, data = _check(run, "--daily-dose", "110", "--country", "uk")
    assert _severities(data)["dose-maximum"] == "major"
    code, data = run.json("check", "--daily-dose", "90", env={"BACLO_COUNTRY": "uk"})
    assert code == 0
    code, data = run.json("check", "--daily-dose", "90", "--country", "us", env={"BACLO_COUNTRY": "uk"})
    assert code == 1


def test_a_bad_country_or_kidney_value_is_a_clear_usage_error(run: Any) -> None:
    result = run("check", "--daily-dose", "30", "--country", "fr")
    assert result.exit_code == 2 and "us, uk or ca" in result.output
    result = run("check", "--egfr", "-5")
    assert result.exit_code == 2 and "--egfr" in result.output


def test_the_lower_of_two_kidney_values_wins(run: Any) -> None:
    _, data = _check(run, "--egfr", "70", "--crcl", "25")
    assert _severities(data) == {"renal-severe": "major"}


def test_normal_kidney_function_adds_nothing(run: Any) -> None:
    code, data = _check(run, "--egfr", "95", "--daily-dose", "30")
    assert code == 0 and data["findings"] == []


def test_patient_wording_for_the_dose_never_says_skip(run: Any) -> None:
    _, data = _check(run, "--daily-dose", "90", audience="patient")
    advice = _by_id(data)["dose-maximum"]["advice"].lower()
    assert "do not skip or stop" in advice


# ---------------------------------------------------------------- the installed script


def test_installed_tylenol_number_one_is_an_opioid(tmp_path: Path) -> None:
    proc: subprocess.CompletedProcess = run_installed(["check", "--with", "Tylenol #1", "--json"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert {f["id"]: f["severity"] for f in data["findings"]}["opioids"] == "major"


def test_installed_ckd_stage_4_with_80_mg_is_major(tmp_path: Path) -> None:
    proc = run_installed(["check", "--history", "CKD stage 4", "--daily-dose", "80", "--audience", "patient"], tmp_path)
    assert proc.returncode == 1
    out = proc.stdout.decode() if isinstance(proc.stdout, bytes) else proc.stdout
    assert "Serious (" in out and "kidney" in out.lower()  # patients read "Serious" for the major grade


def test_patient_wording_is_the_plain_text_of_the_entry(run: Any, knowledge: Any) -> None:
    cls = knowledge.classes_by_id["centrally-acting-antihypertensives"]
    _, pro = _check(run, "--with", "Alphagan")
    _, pat = _check(run, "--with", "Alphagan", audience="patient")
    assert _by_id(pro)[cls.id]["effect"] == cls.effect
    assert _by_id(pat)[cls.id]["effect"] == cls.patient_effect != cls.effect
    _, pat = _check(run, "--with", "Valtrex", audience="patient")
    assert "older people or with weak kidneys" in _by_id(pat)["cns-toxicity-valacyclovir"]["effect"]


def test_a_measured_low_egfr_counts_as_kidney_disease_for_combinations(run: Any) -> None:
    _, data = _check(run, "--with", "ibuprofen", "--egfr", "24")
    sev = _severities(data)
    assert sev["kidney-drug-with-kidney-disease"] == "major" and sev["renal-severe"] == "major"
    for value in ("95", "65"):
        _, data = _check(run, "--with", "ibuprofen", "--egfr", value)
        assert "kidney-drug-with-kidney-disease" not in _severities(data)
