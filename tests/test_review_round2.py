"""The second clinical review (reviews-round2/clinical-1.md): every HIGH and MEDIUM fix, through the
CLI in both wordings, and the baclofen-line dose check with hand-built resolutions."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from baclofen_cli.check import BACLOFEN_LINE, NOT_CHECKED, check, exit_status, summary_line
from baclofen_cli.resolve import WITH, Resolver

AUDIENCES = ("professional", "patient")


def _check(run: Any, *args: str, audience: str = "professional") -> Tuple[int, Dict[str, Any]]:
    code, data = run.json("check", *args, "--audience", audience)
    return code, data


def _sev(data: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in data["findings"]}


def _status(data: Dict[str, Any]) -> List[str]:
    return [i["status"] for i in data["inputs"]]


# ---------------------------------------------------------------- 1. the user's own baclofen lines


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("line", ["baclofen 10 mg", "baclofen 10-20 mg tid", "baclofen 5 mg as needed",
                                  "baclofen 1 tab tid", "Kemstro 10 mg prn", "baclofen 10 mg tid prn"])
def test_a_baclofen_line_whose_dose_was_not_read_is_not_checked(run: Any, line: str, audience: str) -> None:
    code, data = _check(run, "--with", line, audience=audience)
    assert code == 3  # never an all-clear
    assert _status(data) == [NOT_CHECKED]
    assert data["daily_dose_mg"] is None
    assert line in data["unrecognized"]
    text = run("check", "--with", line, "--audience", audience).output
    said = ("baclofen recognized; its dose was not read" if audience == "professional"
            else "we found baclofen, but we could not read its dose")
    assert said in text and "not recognized;" not in text
    assert "no known interaction" not in text.lower()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_baclofen_itself_is_the_medicine_checked_never_no_known_interaction(run: Any, audience: str) -> None:
    for name in ("baclofen", "Lioresal", "Kemstro", "baclofen tablets"):
        code, data = _check(run, "--with", name, audience=audience)
        assert code == 0 and data["findings"] == []
        assert _status(data) == [BACLOFEN_LINE]
        out = run("check", "--with", name, "--audience", audience).output
        assert "No known interaction" not in out and "no known interaction" not in out
        assert "medicine being checked" in out and "no daily dose was given" in out


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_read_line_is_dose_checked_end_to_end(run: Any, audience: str) -> None:
    code, data = _check(run, "--with", "baclofen 30 mg tid", audience=audience)
    assert code == 1 and data["daily_dose_mg"] == 90
    assert _status(data) == [BACLOFEN_LINE] and _sev(data)["dose-maximum"] == "major"
    code, data = _check(run, "--with", "baclofen 20 mg qid", "--with", "baclofen 10 mg at night", audience=audience)
    assert code == 1 and data["daily_dose_mg"] == 90 and _sev(data)["dose-maximum"] == "major"
    if audience == "professional":
        note = {f["id"]: f for f in data["findings"]}["baclofen-more-than-one"]
        assert "used their total (90 mg a day)" in note["advice"]
    code, data = _check(run, "--with", "baclofen 10 mg tid", audience=audience)
    assert code == 0 and data["daily_dose_mg"] == 30 and _status(data) == [BACLOFEN_LINE]


def test_an_explicit_daily_dose_is_graded_but_never_vouches_for_a_line_whose_dose_was_not_read(run: Any) -> None:
    # clinical round G: the line may state more than the figure given, so it stays not checked (exit 4)
    code, data = _check(run, "--with", "baclofen 10 mg tid prn", "--daily-dose", "90")
    assert _status(data) == [NOT_CHECKED]
    assert _sev(data)["dose-maximum"] == "major" and code == 4
    assert "could not be compared" in data["inputs"][0]["hint"]


def test_two_lines_whose_doses_were_not_read_never_claim_a_dose_check(run: Any) -> None:
    for audience in AUDIENCES:
        code, data = _check(run, "--with", "baclofen 10 mg", "--with", "baclofen 5 mg as needed", audience=audience)
        assert code == 4 and data["daily_dose_mg"] is None
        assert _status(data) == [NOT_CHECKED, NOT_CHECKED]
        note = {f["id"]: f for f in data["findings"]}["baclofen-more-than-one"]
        assert "dose check uses" not in note["advice"] and "used their total" not in note["advice"]
        if audience == "professional":
            assert "no total was checked" in note["advice"]


def test_read_lines_feed_the_dose_check_summed(knowledge: Any) -> None:
    r = Resolver(knowledge)
    a = r.resolve("baclofen", WITH)._replace(text="baclofen 20 mg qid", daily_mg=80.0)
    b = r.resolve("baclofen", WITH)._replace(text="baclofen 10 mg at night", daily_mg=10.0)
    result = check(knowledge, [a, b])
    assert result.daily_dose_mg == 90
    found = {f.id: f for f in result.findings}
    assert found["dose-maximum"].severity == "major"
    assert found["dose-maximum"].inputs == ("baclofen 20 mg qid", "baclofen 10 mg at night")
    assert "used their total (90 mg a day)" in found["baclofen-more-than-one"].advice
    assert [i.status for i in result.items] == [BACLOFEN_LINE, BACLOFEN_LINE]
    assert exit_status(result) == 1


def test_a_line_read_within_the_maximum_is_checked_not_harmless(knowledge: Any) -> None:
    res = Resolver(knowledge).resolve("baclofen", WITH)._replace(text="baclofen 10 mg tid", daily_mg=30.0)
    result = check(knowledge, [res])
    assert result.daily_dose_mg == 30 and result.findings == ()
    assert result.items[0].status == BACLOFEN_LINE and exit_status(result) == 0
    assert "daily dose checked" in summary_line(result)


def test_one_unread_line_stops_a_part_sum(knowledge: Any) -> None:
    r = Resolver(knowledge)
    a = r.resolve("baclofen", WITH)._replace(text="baclofen 10 mg tid", daily_mg=30.0)
    b = r.resolve("baclofen", WITH)._replace(text="baclofen 25 mg 3 x daily")
    result = check(knowledge, [a, b])
    assert result.daily_dose_mg is None  # 30 would understate the total
    assert [i.status for i in result.items] == [BACLOFEN_LINE, NOT_CHECKED]
    assert exit_status(result) == 4
    assert "not all read" in {f.id: f for f in result.findings}["baclofen-more-than-one"].advice


def test_an_explicit_dose_wins_over_read_lines_and_the_disagreement_is_shown(knowledge: Any) -> None:
    res = Resolver(knowledge).resolve("baclofen", WITH)._replace(text="baclofen 10 mg tid", daily_mg=30.0)
    result = check(knowledge, [res], daily_dose_mg=90)
    assert result.daily_dose_mg == 90
    assert {"dose-disagreement", "dose-maximum"} <= {f.id for f in result.findings}



# ---------------------------------------------------------------- 2-12: data corrections, both wordings

# (finding, args, finding id expected, severity expected)
CASES: List[Tuple[str, List[str], str, str]] = [
    ("2 tacrolimus with eGFR 25", ["--with", "tacrolimus", "--egfr", "25"], "kidney-drug-with-kidney-disease", "major"),
    ("2 cyclosporine with ckd", ["--with", "cyclosporine", "--history", "ckd"], "kidney-drug-with-kidney-disease", "major"),
    ("2 tacrolimus with epilepsy", ["--with", "Prograf", "--history", "epilepsy"], "seizure-drug-with-epilepsy", "major"),
    ("2 tacrolimus graded", ["--with", "tacrolimus"], "kidney-function", "moderate"),
    ("3 sulfasalazine", ["--with", "sulfasalazine"], "kidney-function", "moderate"),
    ("3 Azulfidine with ckd", ["--with", "Azulfidine", "--history", "ckd"], "kidney-drug-with-kidney-disease", "major"),
    ("4 amantadine", ["--with", "amantadine"], "other-cns-active", "moderate"),
    ("4 amantadine with psychosis", ["--with", "Gocovri", "--history", "psychosis"],
     "confusion-drug-with-psychiatric-history", "moderate"),
    ("5 oxybutynin chloride", ["--with", "oxybutynin chloride"], "anticholinergics", "moderate"),
    ("5 trospium", ["--with", "trospium"], "anticholinergics", "moderate"),
    ("5 darifenacin", ["--with", "Enablex"], "anticholinergics", "moderate"),
    ("5 fesoterodine in older age", ["--with", "Toviaz", "--history", "elderly"], "confusion-drug-in-older-age", "moderate"),
    ("6 levodopa with psychosis", ["--with", "levodopa", "--history", "psychosis"],
     "confusion-drug-with-psychiatric-history", "moderate"),
    ("6 levodopa lowers blood pressure", ["--with", "Sinemet", "--with", "lisinopril"],
     "blood-pressure-lowering-together", "moderate"),
    ("6 lithium with ckd", ["--with", "lithium", "--history", "ckd"], "kidney-drug-with-kidney-disease", "major"),
    ("7 nitrofurantoin", ["--with", "Macrobid"], "cns-toxicity", "minor"),
    ("8 allopurinol", ["--with", "allopurinol"], "other-sedating", "minor"),
    ("9 flecainide", ["--with", "flecainide"], "other-cns-active", "minor"),
    ("9 etanercept", ["--with", "Enbrel"], "cns-toxicity", "minor"),
    ("9 adalimumab", ["--with", "Humira"], "cns-toxicity", "minor"),
    ("10 Kenalog", ["--with", "Kenalog"], "systemic-corticosteroids", "minor"),
    ("10 Entocort", ["--with", "Entocort"], "systemic-corticosteroids", "minor"),
    ("10 Uceris", ["--with", "Uceris"], "systemic-corticosteroids", "minor"),
    ("11 metronidazole with psychosis", ["--with", "metronidazole", "--history", "psychosis"],
     "confusion-drug-with-psychiatric-history", "moderate"),
    ("11 lisinopril with tizanidine", ["--with", "lisinopril", "--with", "tizanidine"],
     "blood-pressure-lowering-together", "moderate"),
    ("11 steroid with diabetes", ["--with", "prednisone", "--history", "diabetes"], "glucose-drug-with-diabetes", "moderate"),
    ("12 ALS", ["--history", "ALS"], "motor-neurone-disease", "moderate"),
    ("12 ALS with an opioid", ["--history", "amyotrophic lateral sclerosis", "--with", "oxycodone"],
     "depressant-with-respiratory-disease", "major"),
    ("12 ALS by code", ["--history", "G12.21"], "motor-neurone-disease", "moderate"),
    ("12 transverse myelitis", ["--history", "transverse myelitis"], "spinal-cord-disease", "minor"),
    ("12 syringomyelia", ["--history", "syringomyelia"], "spinal-cord-disease", "minor"),
]


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name,args,fid,severity", CASES, ids=[c[0] for c in CASES])
def test_review_case(run: Any, name: str, args: List[str], fid: str, severity: str, audience: str) -> None:
    code, data = _check(run, *args, audience=audience)
    assert _sev(data).get(fid) == severity, (name, _sev(data))
    assert code == 1, name
    assert "no-known-interaction" not in _status(data) and "no-known-caution" not in _status(data)
    finding = {f["id"]: f for f in data["findings"]}[fid]
    assert finding["effect"] and finding["advice"] and finding["sources"]


def test_the_patient_wording_is_the_plain_one(run: Any) -> None:
    for args, fid in ((["--with", "trospium"], "anticholinergics"),
                      (["--with", "metronidazole", "--history", "psychosis"], "confusion-drug-with-psychiatric-history"),
                      (["--history", "ALS"], "motor-neurone-disease")):
        _, pro = _check(run, *args)
        _, pat = _check(run, *args, audience="patient")
        a = {f["id"]: f for f in pro["findings"]}[fid]
        b = {f["id"]: f for f in pat["findings"]}[fid]
        assert a["effect"] != b["effect"] and a["severity"] == b["severity"]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_inhaled_and_nasal_steroids_stay_harmless_with_the_route_said(run: Any, audience: str) -> None:
    for name in ("Symbicort", "Pulmicort", "Nasacort", "triamcinolone cream"):
        code, data = _check(run, "--with", name, audience=audience)
        assert code == 0 and _status(data) == ["no-known-interaction"], name


def test_judged_labels_record_what_the_review_found(knowledge: Any) -> None:
    drugs = {d.name: d for d in knowledge.no_known_interaction.drugs}
    for name in ("sulfasalazine", "nitrofurantoin", "allopurinol", "flecainide", "etanercept", "adalimumab"):
        assert name not in drugs
    assert dict(drugs["azithromycin"].reviewed.judged).keys() >= {"sedating", "seizure-threshold", "kidney"}
    assert "seizure-threshold" in dict(drugs["clarithromycin"].reviewed.judged)
    assert "confusion" in dict(drugs["sucralfate"].reviewed.judged)
    assert "sedating" in dict(drugs["magnesium"].reviewed.judged)
    for ppi in ("omeprazole", "esomeprazole", "pantoprazole", "lansoprazole", "rabeprazole", "dexlansoprazole"):
        assert "seizure-threshold" in dict(drugs[ppi].reviewed.judged)


# ---------------------------------------------------------------- LOW 13, 14, 17, 18


def test_early_ckd_is_not_graded_as_kidney_disease(run: Any) -> None:
    # round G: stage 2 (eGFR 60-89) is graded at its worst case, the 50-80 band, as an eGFR of 60; stage 1 stays minor
    for text, expected in (("ckd stage 2", {"ckd-stage-2": "moderate"}), ("N18.2", {"ckd-stage-2": "moderate"}),
                           ("N18.1", {"ckd-stage-1": "minor"})):
        code, data = _check(run, "--history", text)
        assert _sev(data) == expected, text
    _, data = _check(run, "--history", "ckd 3a", "--daily-dose", "30")
    # round D 8: stage 3a (eGFR 45-59) is graded at its worst case, the 30-49 band (about 40 mg)
    assert _sev(data)["renal-moderate"] == "moderate" and _sev(data)["ckd-stage-3a"] == "major"
    _, data = _check(run, "--history", "N18.32", "--daily-dose", "50")
    assert _sev(data)["renal-moderate"] == "major"


def test_an_egfr_says_the_bands_are_creatinine_clearance(run: Any) -> None:
    _, data = _check(run, "--egfr", "40")
    notes = " ".join(n for f in data["findings"] for n in f["notes"])
    assert "creatinine clearance" in notes
    _, data = _check(run, "--crcl", "40")
    assert "approximation" not in " ".join(n for f in data["findings"] for n in f["notes"])


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_child_is_told_the_adult_maximum_does_not_apply(run: Any, audience: str) -> None:
    for word in ("child", "pediatric", "infant", "paediatric"):
        code, data = _check(run, "--history", word, "--daily-dose", "30", audience=audience)
        assert _sev(data) == {"children": "minor"}, word  # within 40 mg: the caution says adult figures do not apply
        assert "adult" in {f["id"]: f for f in data["findings"]}["children"]["effect"]
        code, data = _check(run, "--history", word, "--daily-dose", "50", audience=audience)
        # round D 4: no age given: graded against the lower UK figure (40 mg), and it says the limit depends on age
        assert _sev(data)["dose-children"] == "major", word
        assert "age" in {f["id"]: f for f in data["findings"]}["dose-children"]["effect"]


def test_smx_tmp_reaches_the_kidney_rule(run: Any) -> None:
    _, data = _check(run, "--with", "Bactrim", "--history", "ckd")
    assert _sev(data)["kidney-drug-with-kidney-disease"] == "major"


def test_kidney_failure_patient_advice_never_reads_as_an_instruction(run: Any) -> None:
    _, data = _check(run, "--history", "dialysis", audience="patient")
    advice = {f["id"]: f for f in data["findings"]}["kidney-failure"]["advice"]
    assert "if any" not in advice and "kidney team" in advice
