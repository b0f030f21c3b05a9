"""Names the world uses, round 2 (issue 11): generics, brands, products, class words and conditions
that baclo did not know, each resolving to the intended ingredients and graded through its class."""

from __future__ import annotations

import json
from typing import Any, FrozenSet, List, Tuple

import pytest
from test_installed import run as run_installed

from baclofen_cli.check import check
from baclofen_cli.resolve import HISTORY, WITH, Resolver

# what the user types -> (ingredients it must resolve to, {(finding id, grade)} it must give; "none" = no known interaction)
MEDICINES: List[Tuple[str, str, str]] = [
    ("bendroflumethiazide", "bendroflumethiazide", "antihypertensives:moderate"),
    ("nitrazepam", "nitrazepam", "benzodiazepines:moderate"),
    ("Mogadon", "nitrazepam", "benzodiazepines:moderate"),
    ("bromazepam", "bromazepam", "benzodiazepines:moderate"),
    ("Lexotan", "bromazepam", "benzodiazepines:moderate"),
    ("meprobamate", "meprobamate", "sedative-hypnotics:moderate"),
    ("zuranolone", "zuranolone", "other-sedating:moderate"),
    ("Zurzuvae", "zuranolone", "other-sedating:moderate"),
    ("brexanolone", "brexanolone", "other-sedating:moderate"),
    ("pimozide", "pimozide", "antipsychotics:moderate"),
    ("amisulpride", "amisulpride", "antipsychotics:moderate"),
    ("Solian", "amisulpride", "antipsychotics:moderate"),
    ("flupentixol", "flupentixol", "antipsychotics:moderate"),
    ("zuclopenthixol", "zuclopenthixol", "antipsychotics:moderate"),
    ("xanomeline-trospium", "xanomeline trospium", "antipsychotics:minor anticholinergics:moderate"),
    ("Cobenfy", "xanomeline trospium", "antipsychotics:minor anticholinergics:moderate"),
    ("dosulepin", "dosulepin", "tricyclic-antidepressants:moderate"),
    ("lofepramine", "lofepramine", "tricyclic-antidepressants:moderate"),
    ("mianserin", "mianserin", "sedating-antidepressants:moderate"),
    ("moclobemide", "moclobemide", "maois:moderate"),
    ("agomelatine", "agomelatine", "sedating-antidepressants:minor"),
    ("pheniramine", "pheniramine", "sedating-antihistamines:moderate"),
    ("pyrilamine", "pyrilamine", "sedating-antihistamines:moderate"),
    ("acrivastine", "acrivastine", "less-sedating-antihistamines:minor"),
    ("bilastine", "bilastine", "less-sedating-antihistamines:minor"),
    ("alimemazine", "alimemazine", "sedating-antihistamines:moderate"),
    ("cinnarizine", "cinnarizine", "sedating-antihistamines:moderate"),
    ("buclizine", "buclizine", "sedating-antihistamines:moderate"),
    ("dextropropoxyphene", "dextropropoxyphene", "opioids:major"),
    ("co-proxamol", "dextropropoxyphene acetaminophen", "opioids:major"),
    ("benserazide", "benserazide", "levodopa:moderate"),
    ("co-beneldopa", "levodopa benserazide", "levodopa:moderate"),
    ("Madopar", "levodopa benserazide", "levodopa:moderate"),
    ("Prolopa", "levodopa benserazide", "levodopa:moderate"),
    ("Hycodan", "hydrocodone homatropine", "opioids:major anticholinergics:minor"),
    ("benzhydrocodone", "benzhydrocodone", "opioids:major"),
    ("Apadaz", "benzhydrocodone acetaminophen", "opioids:major"),
    ("Librax", "chlordiazepoxide clidinium", "benzodiazepines:moderate anticholinergics:minor"),
    ("Lybalvi", "olanzapine samidorphan", "antipsychotics:moderate other-cns-active:minor"),
    ("brinzolamide", "brinzolamide", "antihypertensives-brinzolamide:minor"),
    ("Botox", "botulinum_toxin", "neuromuscular-blockers-botulinum-toxin:moderate"),
    ("Dysport", "botulinum_toxin", "neuromuscular-blockers-botulinum-toxin:moderate"),
    ("Xeomin", "botulinum_toxin", "neuromuscular-blockers-botulinum-toxin:moderate"),
    ("cladribine", "cladribine", "none"),
    ("alemtuzumab", "alemtuzumab", "kidney-function:minor"),
    ("ublituximab", "ublituximab", "none"),
    ("ponesimod", "ponesimod", "cns-toxicity:minor"),
    ("Vumerity", "diroximel_fumarate", "none"),
    ("Bafiertam", "monomethyl_fumarate", "none"),
    ("nabiximols", "nabiximols", "cannabis-and-sedating-herbs:moderate"),
    ("Sativex", "nabiximols", "cannabis-and-sedating-herbs:moderate"),
    ("pyridostigmine", "pyridostigmine", "none"),
    ("gentamicin", "gentamicin", "kidney-function:moderate"),
    ("tobramycin", "tobramycin", "kidney-function:moderate"),
    ("amikacin", "amikacin", "kidney-function:moderate"),
    ("amphotericin B", "amphotericin_b", "kidney-function:moderate"),
    ("zoledronic acid", "zoledronic_acid", "kidney-function:moderate"),
    ("Reclast", "zoledronic_acid", "kidney-function:moderate"),
    ("Aclasta", "zoledronic_acid", "kidney-function:moderate"),
    ("cisplatin", "cisplatin", "kidney-function:moderate"),
    ("iodinated contrast", "iodinated_contrast", "kidney-function:moderate"),
    ("etoricoxib", "etoricoxib", "kidney-function:moderate"),
    ("flucloxacillin", "flucloxacillin", "none"),
    ("ranitidine", "ranitidine", "cns-toxicity:minor"),
    ("pholcodine", "pholcodine", "opioids:major"),
    ("Migraleve", "buclizine codeine acetaminophen", "opioids:major sedating-antihistamines:moderate"),
    ("hyoscine butylbromide", "hyoscine_butylbromide", "anticholinergics-hyoscine-butylbromide:minor"),
    ("Buscopan", "hyoscine_butylbromide", "anticholinergics-hyoscine-butylbromide:minor"),
    ("macrogol", "polyethylene_glycol_3350", "none"),
    ("Movicol", "polyethylene_glycol_3350", "none"),
    ("Laxido", "polyethylene_glycol_3350", "none"),
    ("desmopressin", "desmopressin", "cns-toxicity:moderate"),
    ("bethanechol", "bethanechol", "antihypertensives:minor"),
    ("mitoxantrone", "mitoxantrone", "cns-toxicity:minor"),
    ("cyclophosphamide", "cyclophosphamide", "kidney-function:minor"),
    ("glatiramer acetate", "glatiramer", "none"),
    ("phenibut", "phenibut", "other-sedating:major"),
    ("xylazine", "xylazine", "other-sedating:major"),
    ("delta-8 THC", "cannabis", "cannabis-and-sedating-herbs:moderate"),
    ("Percodan", "oxycodone aspirin", "opioids:major kidney-function:minor"),
    ("Embeda", "morphine naltrexone", "opioids:major other-cns-active:minor"),
    ("Tussionex", "hydrocodone chlorpheniramine", "opioids:major sedating-antihistamines:moderate"),
    ("Symbyax", "olanzapine fluoxetine", "antipsychotics:moderate ssris-snris:minor"),
    ("Donnatal", "phenobarbital hyoscyamine atropine scopolamine",
     "sedative-hypnotics:moderate anticholinergics:moderate cns-toxicity:minor other-sedating:moderate"),
    ("Robitussin AC", "codeine guaifenesin", "opioids:major"),
    ("Cheratussin AC", "codeine guaifenesin", "opioids:major"),
    ("Promethazine DM", "promethazine dextromethorphan", "sedating-antihistamines:moderate other-cns-active:minor"),
    ("Tylenol Arthritis", "acetaminophen", "none"),
    ("Tylenol 8 HR", "acetaminophen", "none"),
    ("Midol Complete", "acetaminophen caffeine pyrilamine", "sedating-antihistamines:moderate other-cns-active:minor"),
    ("Goody's Powder", "aspirin acetaminophen caffeine", "kidney-function:minor other-cns-active:minor"),
    ("BC Powder", "aspirin caffeine", "kidney-function:minor other-cns-active:minor"),
]

CLASS_WORDS = [("painkillers", "word-painkillers", "major"), ("pain meds", "word-painkillers", "major"),
               ("antibiotics", "word-antibiotics", "moderate"), ("seizure medication", "word-seizure-medication", "moderate")]

# brands with many formulations of different ingredients stay unrecognized on purpose
AMBIGUOUS = ["Midol", "Pamprin", "Goody's", "Mucinex Nightshift"]

CONDITIONS: List[Tuple[str, str, str]] = [
    ("dementia", "dementia", "moderate"), ("Alzheimer's disease", "dementia", "moderate"),
    ("F03.90", "dementia", "moderate"), ("G30.9", "dementia", "moderate"), ("F01.50", "dementia", "moderate"),
    ("altered mental status", "altered-mental-status", "moderate"), ("R41.82", "altered-mental-status", "moderate"),
    ("hepatic encephalopathy", "hepatic-encephalopathy", "moderate"), ("K76.82", "hepatic-encephalopathy", "moderate"),
    ("hypotension", "hypotension", "moderate"), ("orthostatic hypotension", "hypotension", "moderate"),
    ("I95.1", "hypotension", "moderate"), ("syncope", "syncope", "minor"), ("R55", "syncope", "minor"),
    ("falls", "falls", "moderate"), ("h/o falls", "falls", "moderate"), ("R29.6", "falls", "moderate"),
    ("W19.XXXA", "falls", "moderate"), ("myasthenia gravis", "myasthenia-gravis", "moderate"),
    ("G70.00", "myasthenia-gravis", "moderate"), ("dehydration", "dehydration", "minor"), ("E86.0", "dehydration", "minor"),
    ("kidney transplant", "kidney-transplant", "moderate"), ("Z94.0", "kidney-transplant", "moderate"),
    ("GI bleed", "gi-bleed", "minor"), ("K92.2", "gi-bleed", "minor"),
    ("cirrhosis", "liver-disease", "minor"), ("K74.60", "liver-disease", "minor"),
    ("heart failure", "none", ""), ("CHF", "none", ""), ("I50.9", "none", ""), ("atrial fibrillation", "none", ""),
    ("afib", "none", ""), ("I48.91", "none", ""), ("anxiety", "none", ""), ("F41.1", "none", ""),
    ("obesity", "none", ""), ("E66.01", "none", ""), ("chronic pain", "none", ""), ("G89.29", "none", ""),
    ("bradycardia", "none", ""), ("R00.1", "none", ""), ("iron deficiency anaemia", "none", ""), ("D50.9", "none", ""),
]


@pytest.fixture(scope="module")
def resolver(knowledge: Any) -> Resolver:
    return Resolver(knowledge)


def _ingredients(knowledge: Any, res: Any) -> FrozenSet[str]:
    out = set()
    for t in res.targets:
        if t.kind == "product":
            out.update(knowledge.products_by_name[t.ref].ingredients)
        else:
            out.add(t.ref)
    return frozenset(out)


@pytest.mark.parametrize("text,ingredients,expected", MEDICINES, ids=[m[0] for m in MEDICINES])
def test_medicine_resolves_and_is_graded(knowledge: Any, resolver: Resolver, text: str, ingredients: str,
                                         expected: str) -> None:
    res = resolver.resolve(text, WITH)
    assert res.complete, f"{text!r}: not understood {res.unaccounted}"
    assert _ingredients(knowledge, res) == frozenset(w.replace("_", " ") for w in ingredients.split())
    result = check(knowledge, [res])
    got = {(f.id, f.severity) for f in result.findings if f.kind == "interaction"}
    if expected == "none":
        assert got == set() and result.items[0].status == "no-known-interaction"
    else:
        assert got == {tuple(e.split(":")) for e in expected.split()}
        assert result.items[0].status == "flagged"


@pytest.mark.parametrize("text,finding,grade", CLASS_WORDS)
def test_class_words(knowledge: Any, resolver: Resolver, text: str, finding: str, grade: str) -> None:
    res = resolver.resolve(text, WITH)
    assert res.complete
    assert [(f.id, f.severity) for f in check(knowledge, [res]).findings] == [(finding, grade)]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_brands_with_many_formulations_are_never_clear(knowledge: Any, resolver: Resolver, text: str) -> None:
    res = resolver.resolve(text, WITH)
    assert not res.complete
    assert check(knowledge, [res]).items[0].status != "no-known-interaction"


@pytest.mark.parametrize("text,entry,grade", CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_condition(knowledge: Any, resolver: Resolver, text: str, entry: str, grade: str) -> None:
    res = resolver.resolve(text, HISTORY)
    assert res.complete, f"{text!r}: not understood {res.unaccounted}"
    result = check(knowledge, [res])
    if entry == "none":
        assert result.findings == () and result.items[0].status == "no-known-caution"
    else:
        also = ALSO.get(text, [])  # an ICD-10-CM child keeps its parent's entry too (K76.82 is in K76)
        assert [(f.id, f.severity) for f in result.findings if f.kind == "caution"] == [(entry, grade)] + also


ALSO = {"K76.82": [("liver-disease", "minor")]}


def test_hospital_list_with_new_conditions_fires_the_rules(run: Any) -> None:
    code, out = run.json("check", "--with", "lisinopril 10 mg daily, zolpidem 5 mg qhs, Buscopan 10 mg TDS",
                         "--history", "orthostatic hypotension, h/o falls, dementia")
    ids = {f["id"]: f["severity"] for f in out["findings"]}
    assert ids["blood-pressure-drug-with-low-blood-pressure"] == "moderate"
    assert ids["sedating-drug-with-falls"] == "moderate"
    assert ids["dementia"] == "moderate" and ids["falls"] == "moderate"
    assert out["unrecognized"] == [] and code == 1


def test_uk_list_with_co_names_reads_like_the_tidy_list(run: Any) -> None:
    uk = run.json("check", "--with", "co-beneldopa 12.5/50 TDS, Migraleve Pink 2 tabs PRN, Movicol 1 sachet OD, "
                  "flucloxacillin 500mg QDS, bendroflumethiazide 2.5mg mane")
    tidy = run.json("check", "--with", "levodopa, benserazide, buclizine, codeine, paracetamol, macrogol, flucloxacillin, "
                    "bendroflumethiazide")
    assert {f["id"] for f in uk[1]["findings"]} == {f["id"] for f in tidy[1]["findings"]}
    assert {"opioids", "opioid-with-depressant", "levodopa", "antihypertensives"} <= {f["id"] for f in uk[1]["findings"]}
    assert uk[1]["unrecognized"] == []


def test_ms_clinic_list(run: Any) -> None:
    code, out = run.json("check", "--with", "Sativex, Botox, Vumerity, cladribine, pyridostigmine",
                         "--history", "myasthenia gravis, COPD")
    ids = {f["id"] for f in out["findings"]}
    assert {"cannabis-and-sedating-herbs", "neuromuscular-blockers-botulinum-toxin", "myasthenia-gravis",
            "depressant-with-respiratory-disease"} <= ids
    statuses = {i["text"]: i["status"] for i in out["inputs"]}
    assert statuses["Vumerity"] == statuses["cladribine"] == statuses["pyridostigmine"] == "no-known-interaction"


def test_us_cough_and_pain_list_with_kidney_drug(run: Any) -> None:
    code, out = run.json("check", "--with", "Cheratussin AC 10 mL q4h PRN cough, gentamicin IV, Goody's Powder",
                         "--history", "CKD stage 4")
    ids = {f["id"]: f["severity"] for f in out["findings"]}
    assert ids["opioids"] == "major"
    assert ids["kidney-drug-with-kidney-disease"] == "major"


def test_installed_script_reads_a_uk_list_from_a_file(tmp_path: Any) -> None:
    meds = tmp_path / "meds.txt"
    meds.write_text("co-beneldopa 12.5/50 TDS\nMigraleve Pink 2 tablets PRN\nMovicol 1 sachet OD\nMidol\n", encoding="utf-8")
    proc = run_installed(["check", "--with-file", str(meds), "--history", "falls, dementia", "--json"], tmp_path,
                         env={"BACLO_CACHE_DIR": str(tmp_path / "cache")})
    out = json.loads(proc.stdout)
    statuses = {i["text"]: i["status"] for i in out["inputs"]}
    assert statuses["Movicol 1 sachet OD"] == "no-known-interaction"
    assert statuses["Midol"] == "not-checked"  # many formulations: never guessed
    assert {"opioid-with-depressant", "sedating-drug-with-falls", "dementia"} <= {f["id"] for f in out["findings"]}
    assert proc.returncode == 4  # findings, and an item not checked
