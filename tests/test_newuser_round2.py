"""New-user trial, round 2 (render): findings that failed before their fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest
from test_installed import run as run_installed

from baclofen_cli.knowledge.model import GRADE_RANK

# HIGH 1: a vague class word is answered with the classes it can mean, graded at the strictest (as check grades it)
CLASS_WORDS = ["sleeping pills", "sleep aids", "sleep medication", "sleep medications", "sleeping medicines",
               "sleeping tablets", "painkillers", "pain medication", "antidepressant", "antidepressants",
               "antihistamines"]
PATIENT_WORDS = {"contraindicated": "must not be used", "major": "serious", "moderate": "take care",
                 "minor": "good to know"}


def strictest(knowledge: Any, word: str) -> str:
    from baclofen_cli.resolve import WITH, Resolver

    [target] = Resolver(knowledge).resolve(word, WITH).targets
    assert target.kind == "class-word", f"{word!r} is not a class word in the data"
    w = knowledge.class_words_by_name[target.ref]
    return str(max((knowledge.classes_by_id[c].grade for c in w.classes), key=GRADE_RANK.__getitem__))


@pytest.mark.parametrize("word", CLASS_WORDS)
def test_class_word_interactions_text_is_graded_at_the_strictest(run: Any, knowledge: Any, word: str) -> None:
    result = run("interactions", word)
    assert result.exit_code == 0
    assert "no known interaction with baclofen" not in result.stdout
    grade = strictest(knowledge, word)
    assert result.stdout.splitlines()[0] == f"{word}: {grade}, as the strictest class it can mean"
    assert "Can mean: " in result.stdout


@pytest.mark.parametrize("word", CLASS_WORDS)
def test_class_word_interactions_json_agrees_with_check(run: Any, knowledge: Any, word: str) -> None:
    code, page = run.json("interactions", word)
    assert code == 0
    assert page["known_interaction"] is True
    grade = strictest(knowledge, word)
    assert page["class_word"]["grade"] == grade
    assert page["interactions"][0]["grade"] == grade
    assert [c["id"] for c in page["interactions"]] == page["class_word"]["classes"]
    assert len(page["interactions"]) >= 2
    _, checked = run.json("check", "--with", word)
    assert checked["findings"][0]["severity"] == grade


@pytest.mark.parametrize("word", CLASS_WORDS)
def test_class_word_interactions_patient_wording(run: Any, knowledge: Any, word: str) -> None:
    result = run("interactions", word, "--audience", "patient")
    assert result.exit_code == 0
    out = result.stdout
    assert "No interaction with baclofen is known" not in out
    assert out.splitlines()[0] == f"{word}: {PATIENT_WORDS[strictest(knowledge, word)]}"
    assert "It can mean: " in out
    for jargon in ("(major)", "(moderate)", "(minor)", "strictest"):
        assert jargon not in out


def test_class_word_interactions_installed(tmp_path: Path) -> None:
    proc = run_installed(["interactions", "sleeping pills"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert out.splitlines()[0] == "sleeping pills: moderate, as the strictest class it can mean"
    assert "no known interaction with baclofen" not in out
    proc = run_installed(["interactions", "painkillers", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"grade": "major"' in proc.stdout.decode()


def test_class_word_patient_page_reads_at_grade_9_or_below(run: Any) -> None:
    from test_patient_readability import MAX_GRADE, grade

    out = run("interactions", "sleeping pills", "--audience", "patient").stdout
    intro = out.split("\n\n")[0]
    assert grade(intro) <= MAX_GRADE, intro


# MEDIUM 6: "not recognized" when nothing was; "partly checked as X" when something was; a baclofen line whose
# dose was not read says baclofen was recognized
@pytest.mark.parametrize("audience", ["professional", "patient"])
def test_nothing_recognized_says_not_recognized(run: Any, audience: str) -> None:
    out = run("check", "--with", "xyzzy", "--audience", audience).stdout
    assert ": not recognized; did you mean: Xyzal?" in out
    assert "partly checked" not in out


def test_readme_not_recognized_example_reproduces(run: Any) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    line = "- xyzzy (--with): not recognized; did you mean: Xyzal?"
    assert line in readme
    assert line in run("check", "--with", "xyzzy").stdout


def test_something_recognized_says_partly_checked_as_it(run: Any) -> None:
    out = run("check", "--with", "Tylenol xyzzy").stdout
    assert "Tylenol xyzzy (--with): partly checked as acetaminophen; not understood: xyzzy" in out


@pytest.mark.parametrize("audience", ["professional", "patient"])
def test_dose_not_read_baclofen_line_is_recognized(run: Any, audience: str) -> None:
    result = run("check", "--with", "baclofen 10 mg TID PRN spasm", "--audience", audience)
    assert result.exit_code == 3
    said = ("baclofen recognized; its dose was not read" if audience == "professional"
            else "we found baclofen, but we could not read its dose")
    assert said in result.stdout
    assert "not recognized;" not in result.stdout


# MEDIUM 7: --brief lists every item not checked (one line each) and names what each finding resolved to
EHR = ("baclofen 30 mg TDS, co-codamol 30/500 2 tabs QDS, Zomorph 10 mg BD, "
       "Oramorph 10mg/5ml 2.5-5 mL 2-hourly PRN as per palliative team")


def test_brief_lists_a_partly_checked_item(run: Any) -> None:
    result = run("check", "-w", EHR, "-H", "CKD 3b, eGFR 25", "--country", "uk", "--brief")
    code, data = run.json("check", "-w", EHR, "-H", "CKD 3b, eGFR 25", "--country", "uk")
    lines = result.stdout.splitlines()
    not_checked = [line for line in lines if line.startswith("NOT CHECKED: ")]
    assert len(not_checked) == len(data["unrecognized"]) >= 1
    assert not_checked[0].startswith("NOT CHECKED: Oramorph 10mg/5ml 2.5-5 mL 2-hourly PRN as per palliative team: "
                                  "partly checked as morphine")
    assert "MAJOR: Opioids (codeine, morphine)" in lines
    assert not any("co-codamol 30/500 2 tabs QDS" in line for line in lines)
    assert result.exit_code == code


def test_brief_patient_uses_patient_grade_words(run: Any) -> None:
    out = run("check", "-w", "Percocet, xyzzy", "--brief", "--audience", "patient").stdout.splitlines()
    assert "Serious: Opioid painkillers (oxycodone)" in out
    assert "NOT CHECKED: xyzzy: not recognized; did you mean: Xyzal?" in out


# MEDIUM 8: patient words everywhere in patient mode
PATIENT_CHECK = ["check", "--with", "sleeping pills, Advil, a glass of wine, my water pill",
                 "--history", "bad kidneys, sleep apnoea", "--audience", "patient"]


def test_patient_check_has_no_professional_wording(run: Any) -> None:
    out = run(*PATIENT_CHECK).stdout
    for jargon in ("could mean:", "Graded as the strictest", "partly checked", "kidney-disease",
                   "antihypertensives", "(Respiratory disease)", " major", " moderate", "not recognized"):
        assert jargon not in out, jargon
    assert "- Sleeping pills (several kinds of medicine)" in out
    assert "From: sleep apnoea (Lung or breathing problems)" in out
    assert "10 findings: 4 serious, 6 take care; 2 items not checked" in out
    assert "my water pill (medicine): read as Blood pressure medicines, but we did not understand: my." in out


def test_patient_not_checked_wording_reads_at_grade_9_or_below(run: Any) -> None:
    from test_patient_readability import MAX_GRADE, grade

    out = run(*PATIENT_CHECK).stdout
    section = out.split("NOT CHECKED (2): ")[1].split("\n\n")[0]
    for line in section.splitlines():
        text = line.split(": ", 1)[-1]
        assert grade(text) <= MAX_GRADE, text


def test_professional_partly_checked_names_no_internal_id(run: Any) -> None:
    out = run("check", "--with", "my water pill", "--history", "bad kidneys").stdout
    assert "bad kidneys (--history): partly checked as Kidney disease; not understood: bad" in out
    assert "kidney-disease" not in out


def test_patient_interaction_list_uses_patient_grade_words(run: Any) -> None:
    out = run("interactions", "--audience", "patient").stdout
    assert "Opioid painkillers (serious)" in out
    assert "(major)" not in out and "(moderate)" not in out


# LOW 9: items not checked colour the summary as a warning unless a graver finding does
def test_summary_style_is_not_checked_with_a_minor_finding(knowledge: Any) -> None:
    from baclofen_cli.check import check
    from baclofen_cli.render.views import summary_style
    from baclofen_cli.resolve import WITH, Resolver

    resolver = Resolver(knowledge)
    result = check(knowledge, [resolver.resolve("desloratadine", WITH), resolver.resolve("xyzzy", WITH)])
    assert result.highest_severity == "minor" and summary_style(result) == "not-checked"
    result = check(knowledge, [resolver.resolve("oxycodone", WITH), resolver.resolve("xyzzy", WITH)])
    assert summary_style(result) == "major"
    result = check(knowledge, [resolver.resolve("desloratadine", WITH)])
    assert summary_style(result) == "minor"


# LOW 10: the screen summary shows no "N mg" placeholder as a finding title
def test_screen_summary_has_no_placeholder_title(run: Any, tmp_path: Path) -> None:
    table = tmp_path / "renal.csv"
    table.write_text("id,medications,conditions,daily_dose_mg\nR1,Tylenol,CKD stage 3,30\n"
                     "R2,Tylenol,CKD stage 3,40\n", encoding="utf-8")
    out = run("screen", str(table)).stdout
    assert "N mg" not in out
    assert "Daily dose with kidney function 30-49 mL/min (graded by each row's dose)" in out


# LOW 14: a combination's name resolved to its ingredients names them all
@pytest.mark.parametrize("name", ["co-codamol 30/500", "co-codamol"])
def test_combination_name_lists_every_ingredient(run: Any, name: str) -> None:
    out = run("interactions", name).stdout
    assert out.splitlines()[0] == f"{name[:1].upper()}{name[1:]} contains codeine + acetaminophen"  # named once
    code, page = run.json("interactions", name)
    assert code == 0 and page["via"] == [f"{name} contains codeine + acetaminophen"]


# LOW 15: several words without quotes are one topic or name
def test_info_joins_unquoted_words(run: Any) -> None:
    unquoted = run("info", "missed", "dose")
    assert unquoted.exit_code == 0, unquoted.output
    assert unquoted.stdout == run("info", "missed dose").stdout
    assert unquoted.stdout.startswith("Missed dose\n")


def test_interactions_joins_unquoted_words(run: Any) -> None:
    unquoted = run("interactions", "sleeping", "pills")
    assert unquoted.exit_code == 0
    assert unquoted.stdout == run("interactions", "sleeping pills").stdout


def test_info_unquoted_words_installed(tmp_path: Path) -> None:
    proc = run_installed(["info", "missed", "dose"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().startswith("Missed dose")


# LOW 16: everyday questions find their answer; "withdrawal" leads with stopping suddenly
def test_search_forgot_a_dose_finds_the_missed_dose_advice(run: Any) -> None:
    result = run("search", "forgot a dose")
    assert result.exit_code == 0
    assert "- Dosing / Missed dose: " in result.stdout


def test_search_how_long_to_work_finds_onset_and_titration(run: Any) -> None:
    result = run("search", "how long to work")
    assert result.exit_code == 0
    assert "Time to peak plasma concentration" in result.stdout
    assert "Dosing / Titration" in result.stdout


def test_search_withdrawal_lists_stopping_suddenly_before_neonatal(run: Any) -> None:
    out = run("search", "withdrawal").stdout
    hits = [line for line in out.splitlines() if line.startswith("- ")]
    stopping = next(i for i, h in enumerate(hits) if h.startswith("- Warnings and precautions / Stopping suddenly"))
    neonatal = next(i for i, h in enumerate(hits) if h.startswith("- Warnings and precautions / Neonatal withdrawal"))
    assert stopping < neonatal
    assert hits[0].startswith(("- Side effects / Withdrawal reactions after stopping suddenly",
                               "- Warnings and precautions / Stopping suddenly"))


# LOW 18: a source tag is never split over two lines on a terminal
@pytest.mark.parametrize("columns", ["60", "80", "100", "120"])
@pytest.mark.parametrize("args", [["info"], ["info", "warnings"], ["interactions", "opioids"], ["cautions"]])
def test_terminal_never_splits_a_source_tag(run: Any, columns: str, args: List[str]) -> None:
    import re

    result = run(*args, env={"FORCE_COLOR": "1", "COLUMNS": columns})
    assert result.exit_code == 0
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).rstrip() for line in result.stdout.splitlines()]
    assert any(re.search(r"\[[a-z][a-z0-9-]*", line) for line in lines)  # source tags are shown
    for before, after in zip(lines, lines[1:]):
        opened = before.rsplit("[", 1)[-1] if "[" in before else ""
        if opened and "]" not in opened:  # a tag list continues on the next line: only between two whole tags
            assert opened.endswith(";"), (before, after)


# LOW 13: more vague words are recognized, each as the classes it can mean
@pytest.mark.parametrize(("word", "grade"), [("CNS depressants", "major"), ("tranquilizers", "moderate"),
                                             ("cold medicine", "major"), ("anxiety medicine", "moderate"),
                                             ("cough syrup", "major"), ("tranquillisers", "moderate")])
def test_more_class_words_are_recognized(run: Any, knowledge: Any, word: str, grade: str) -> None:
    assert strictest(knowledge, word) == grade
    result = run("interactions", word)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{word}: {grade}, as the strictest class it can mean"
    code, data = run.json("check", "--with", word)
    assert data["findings"][0]["severity"] == grade and data["unrecognized"] == []


def test_brief_does_not_repeat_a_class_word(run: Any) -> None:
    out = run("check", "-w", "cold medicine", "--brief").stdout.splitlines()
    assert out[0].startswith("MAJOR: cold medicine (could mean: Opioids;")
    assert out[0].endswith(")") and not out[0].endswith("(cold medicine)")
