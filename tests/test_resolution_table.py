"""Table-driven: over 200 names people type, with the class (or harmless status) and grade expected."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from baclofen_cli.check import check
from baclofen_cli.resolve import HISTORY, WITH, Resolver

# "what the user types" -> (class id, or "none" for no known interaction; expected grade or "")
MEDICINES = """
opioids=opioids:major | Opioid=opioids:major | narcotics=opioids:major | oxycodone=opioids:major
OxyContin=opioids:major | Roxicodone=opioids:major | morphine=opioids:major | MS Contin=opioids:major
hydrocodone=opioids:major | hydromorphone=opioids:major | Dilaudid=opioids:major | codeine=opioids:major
tramadol=opioids:major | Ultram=opioids:major | tapentadol=opioids:major | Nucynta=opioids:major
fentanyl=opioids:major | Duragesic=opioids:major | methadone=opioids:major | buprenorphine=opioids:major
Subutex=opioids:major | meperidine=opioids:major | Demerol=opioids:major | loperamide=antidiarrhoeal-opioids:minor
Imodium=antidiarrhoeal-opioids:minor | kratom=opioids:major
benzodiazepines=benzodiazepines:moderate | benzos=benzodiazepines:moderate | alprazolam=benzodiazepines:moderate
Xanax=benzodiazepines:moderate | diazepam=benzodiazepines:moderate | Valium=benzodiazepines:moderate
lorazepam=benzodiazepines:moderate | Ativan=benzodiazepines:moderate | clonazepam=benzodiazepines:moderate
Klonopin=benzodiazepines:moderate | temazepam=benzodiazepines:moderate | midazolam=benzodiazepines:moderate
alcohol=alcohol:moderate | beer=alcohol:moderate | wine=alcohol:moderate | vodka=alcohol:moderate
whiskey=alcohol:moderate | spirits=alcohol:moderate | ethanol=alcohol:moderate
antihistamines=word-antihistamines:moderate | diphenhydramine=sedating-antihistamines:moderate
Benadryl=sedating-antihistamines:moderate | ZzzQuil=sedating-antihistamines:moderate
doxylamine=sedating-antihistamines:moderate | Unisom SleepTabs=sedating-antihistamines:moderate
hydroxyzine=sedating-antihistamines:moderate | Vistaril=sedating-antihistamines:moderate
promethazine=sedating-antihistamines:moderate | Phenergan=sedating-antihistamines:moderate
chlorpheniramine=sedating-antihistamines:moderate | meclizine=sedating-antihistamines:moderate
Dramamine=sedating-antihistamines:moderate | cyproheptadine=sedating-antihistamines:moderate
cetirizine=less-sedating-antihistamines:minor | Zyrtec=less-sedating-antihistamines:minor
loratadine=less-sedating-antihistamines:minor | Claritin=less-sedating-antihistamines:minor
fexofenadine=less-sedating-antihistamines:minor | Allegra=less-sedating-antihistamines:minor
levocetirizine=less-sedating-antihistamines:minor
sleeping pills=word-sleeping-pills:moderate | zolpidem=sedative-hypnotics:moderate | Ambien=sedative-hypnotics:moderate
eszopiclone=sedative-hypnotics:moderate | Lunesta=sedative-hypnotics:moderate | phenobarbital=sedative-hypnotics:moderate
suvorexant=sedative-hypnotics:moderate | melatonin=other-sedating-melatonin:minor | butalbital=sedative-hypnotics:moderate
gabapentin=gabapentinoids:moderate | Neurontin=gabapentinoids:moderate | pregabalin=gabapentinoids:moderate
Lyrica=gabapentinoids:moderate
tizanidine=muscle-relaxants:moderate | Zanaflex=muscle-relaxants:moderate | cyclobenzaprine=muscle-relaxants:moderate
Flexeril=muscle-relaxants:moderate | carisoprodol=muscle-relaxants:moderate | Soma=muscle-relaxants:moderate
methocarbamol=muscle-relaxants:moderate | Robaxin=muscle-relaxants:moderate | metaxalone=muscle-relaxants:moderate
amitriptyline=tricyclic-antidepressants:moderate | Elavil=tricyclic-antidepressants:moderate
nortriptyline=tricyclic-antidepressants:moderate | doxepin=tricyclic-antidepressants:moderate
phenelzine=maois:moderate | selegiline=maois:moderate | rasagiline=maois:moderate | linezolid=maois:minor
lithium=lithium:moderate | lithium carbonate=lithium:moderate | Lithobid=lithium:moderate
levodopa=levodopa:moderate | carbidopa=levodopa:moderate
quetiapine=antipsychotics:moderate | Seroquel=antipsychotics:moderate | olanzapine=antipsychotics:moderate
risperidone=antipsychotics:moderate | aripiprazole=antipsychotics:moderate | Abilify=antipsychotics:moderate
haloperidol=antipsychotics:moderate | prochlorperazine=antipsychotics:moderate | metoclopramide=antipsychotics:moderate
propofol=anaesthetics:moderate | ketamine=anaesthetics:moderate
trazodone=sedating-antidepressants:moderate | mirtazapine=sedating-antidepressants:moderate
Remeron=sedating-antidepressants:moderate
sertraline=ssris-snris:minor | Zoloft=ssris-snris:minor | fluoxetine=ssris-snris:minor | Prozac=ssris-snris:minor
escitalopram=ssris-snris:minor | Lexapro=ssris-snris:minor | citalopram=ssris-snris:minor
duloxetine=ssris-snris:minor | Cymbalta=ssris-snris:minor | venlafaxine=ssris-snris:minor | bupropion=cns-toxicity:moderate
Wellbutrin=cns-toxicity:moderate | paroxetine=ssris-snris:minor
levetiracetam=anticonvulsants:moderate | Keppra=anticonvulsants:moderate | topiramate=anticonvulsants:moderate
Topamax=anticonvulsants:moderate | lamotrigine=anticonvulsants:moderate | Lamictal=anticonvulsants:moderate
carbamazepine=anticonvulsants:moderate | divalproex=anticonvulsants:moderate | Depakote=anticonvulsants:moderate
oxcarbazepine=anticonvulsants:moderate | phenytoin=anticonvulsants:moderate | lacosamide=anticonvulsants:moderate
lisinopril=antihypertensives:moderate | amlodipine=antihypertensives:moderate | Norvasc=antihypertensives:moderate
losartan=antihypertensives:moderate | metoprolol=antihypertensives:moderate | Toprol XL=antihypertensives:moderate
hydrochlorothiazide=antihypertensives:moderate | HCTZ=antihypertensives:moderate | furosemide=antihypertensives:moderate
Lasix=antihypertensives:moderate | carvedilol=antihypertensives:moderate | spironolactone=antihypertensives:moderate
tamsulosin=antihypertensives:moderate | Flomax=antihypertensives:moderate | sildenafil=antihypertensives:moderate
valsartan=antihypertensives:moderate | atenolol=antihypertensives:moderate | propranolol=antihypertensives:moderate
clonidine=centrally-acting-antihypertensives:moderate | guanfacine=centrally-acting-antihypertensives:moderate
metformin=antidiabetics:minor | Glucophage=antidiabetics:minor | glipizide=antidiabetics:minor
semaglutide=antidiabetics:minor | Ozempic=antidiabetics:minor | Wegovy=antidiabetics:minor
Jardiance=antidiabetics:moderate | Trulicity=antidiabetics:minor | Mounjaro=antidiabetics:minor
insulin glargine=antidiabetics:minor | Lantus=antidiabetics:minor | insulin=antidiabetics:minor
sodium oxybate=sodium-oxybate:major | Xyrem=sodium-oxybate:major | GHB=sodium-oxybate:major
rocuronium=neuromuscular-blockers:moderate | succinylcholine=neuromuscular-blockers:moderate
ibuprofen=kidney-function:moderate | Advil=kidney-function:moderate | Motrin=kidney-function:moderate
naproxen=kidney-function:moderate | Aleve=kidney-function:moderate | meloxicam=kidney-function:moderate
celecoxib=kidney-function:moderate | NSAIDs=kidney-function:moderate | aspirin=kidney-function:minor
cannabis=cannabis-and-sedating-herbs:moderate | marijuana=cannabis-and-sedating-herbs:moderate
kava=cannabis-and-sedating-herbs:moderate | valerian=cannabis-and-sedating-herbs:moderate
ropinirole=other-sedating:moderate | pramipexole=other-sedating:moderate | donepezil=other-cns-active:minor
methylphenidate=other-cns-active:minor | Adderall=other-cns-active:minor | Vyvanse=other-cns-active:minor
sumatriptan=other-cns-active:minor | ondansetron=other-cns-active:minor | Zofran=other-cns-active:minor
varenicline=other-cns-active:minor | pseudoephedrine=other-cns-active:minor | montelukast=other-cns-active:minor
atorvastatin=none | Lipitor=none | rosuvastatin=none | Crestor=none | simvastatin=none | pravastatin=none
levothyroxine=none | Synthroid=none | amoxicillin=none | Augmentin=none | azithromycin=none | Z-Pak=none
doxycycline=none | cephalexin=none | ciprofloxacin=fluoroquinolones:moderate
Bactrim=kidney-function:moderate | nitrofurantoin=cns-toxicity:minor
omeprazole=none | Prilosec=none | pantoprazole=none | esomeprazole=none | Nexium=none | famotidine=cns-toxicity:minor
Pepcid=cns-toxicity:minor | apixaban=none | Eliquis=none | rivaroxaban=none | Xarelto=none | warfarin=none
clopidogrel=none | Plavix=none | allopurinol=other-sedating:minor | albuterol=none | ProAir=none | fluticasone=none
Flonase=none | Advair=none | Symbicort=none | prednisone=systemic-corticosteroids:minor | acetaminophen=none | Tylenol=none
paracetamol=none | vitamin D=none | fish oil=none | multivitamin=none | ezetimibe=none | finasteride=none
estradiol=none | valacyclovir=cns-toxicity-valacyclovir:moderate | fluconazole=none | tamoxifen=none | potassium chloride=none
baclofen=none | Lioresal=none | Ozobax=none
sotalol=antihypertensives:moderate | heparin=none | cyclosporine=kidney-function:moderate | tacrolimus=kidney-function:moderate
azelastine=less-sedating-antihistamines:minor | tolterodine=anticholinergics:moderate | sulfamethoxazole=kidney-function:moderate
"""

PRODUCTS = [
    ("Percocet", {"opioids"}), ("Norco", {"opioids"}), ("Vicodin", {"opioids"}),
    ("Tylenol with Codeine", {"opioids"}), ("Tylenol #3", {"opioids"}), ("Ultracet", {"opioids"}),
    ("Tylenol PM", {"sedating-antihistamines"}), ("Advil PM", {"sedating-antihistamines", "kidney-function"}),
    ("NyQuil", {"sedating-antihistamines", "other-cns-active"}), ("Fioricet", {"sedative-hypnotics", "other-cns-active"}),
    ("Suboxone", {"opioids"}), ("Zyrtec-D", {"less-sedating-antihistamines", "other-cns-active"}),
    ("Hyzaar", {"antihypertensives"}), ("Janumet", {"antidiabetics"}), ("Sinemet", {"levodopa"}),
    ("Excedrin", {"kidney-function", "other-cns-active"}), ("oxycodone/acetaminophen", {"opioids"}),
    ("oxycodone 5 mg tablets", {"opioids"}), ("carbidopa-levodopa", {"levodopa"}),
    ("  ZOLPIDEM  ", {"sedative-hypnotics"}), ("alcohol and opioids", {"alcohol", "opioids"}),
]

CONDITIONS = """
kidney=kidney-disease:major | kidneys=kidney-disease:major | CKD=kidney-disease:major
chronic kidney disease=kidney-disease:major | renal impairment=kidney-disease:major
dialysis=kidney-failure:major | ESRD=kidney-failure:major | hemodialysis=kidney-failure:major
kidney failure=kidney-failure:major | epilepsy=seizure-disorders:moderate | seizures=seizure-disorders:moderate
COPD=respiratory-disease:moderate | asthma=respiratory-disease:moderate | sleep apnoea=respiratory-disease:moderate
sleep apnea=respiratory-disease:moderate | OSA=respiratory-disease:moderate | emphysema=respiratory-disease:moderate
pregnant=pregnancy:moderate | pregnancy=pregnancy:moderate | schizophrenia=psychosis:moderate
psychosis=psychosis:moderate | liver disease=liver-disease:minor | cirrhosis=liver-disease:minor
stroke=stroke:moderate | CVA=stroke:moderate | diabetes=diabetes:minor | type 2 diabetes=diabetes:minor
breastfeeding=breastfeeding:minor | elderly=older-age:minor | peptic ulcer=active-peptic-ulcer:contraindicated
active peptic ulcer=active-peptic-ulcer:contraindicated | baclofen allergy=hypersensitivity:contraindicated
autonomic dysreflexia=autonomic-dysreflexia:moderate | urinary retention=urinary-retention:minor
cerebral palsy=cerebral-spasticity:minor | N18.3=ckd-stage-3:major | N18.6=kidney-failure:major
ICD-10-CM G40.909=seizure-disorders:moderate | J44.9=respiratory-disease:moderate
hypertension=hypertension:minor | high cholesterol=none | multiple sclerosis=none | MS=none | GERD=none | I10=hypertension:minor
"""


def _table(text: str) -> List[Tuple[str, str, str]]:
    rows = []
    for cell in " | ".join(text.split("\n")).split("|"):
        cell = cell.strip()
        if not cell:
            continue
        name, _, expected = cell.partition("=")
        target, _, grade = expected.partition(":")
        rows.append((name, target, grade))
    return rows


MED_ROWS = _table(MEDICINES)
CONDITION_ROWS = _table(CONDITIONS)


def test_the_table_is_large_enough() -> None:
    assert len(MED_ROWS) + len(PRODUCTS) + len(CONDITION_ROWS) >= 200


@pytest.fixture(scope="module")
def resolver(knowledge: Any) -> Resolver:
    return Resolver(knowledge)


@pytest.mark.parametrize("text,target,grade", MED_ROWS, ids=[r[0] for r in MED_ROWS])
def test_medicine(knowledge: Any, resolver: Resolver, text: str, target: str, grade: str) -> None:
    res = resolver.resolve(text, WITH)
    assert res.recognized, f"{text!r} not recognized; suggestions {res.suggestions}"
    result = check(knowledge, [res])
    if target == "none":
        assert result.findings == ()
        own = all(t.kind == "baclofen" for t in res.targets)  # baclofen itself: the medicine being checked
        assert result.items[0].status == ("baclofen" if own else "no-known-interaction")
    else:
        interactions = [f for f in result.findings if f.kind == "interaction"]
        assert [(f.id, f.severity) for f in interactions] == [(target, grade)]


@pytest.mark.parametrize("text,classes", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_products_and_combinations_resolve_to_every_ingredient(knowledge: Any, resolver: Resolver,
                                                               text: str, classes: set) -> None:
    res = resolver.resolve(text, WITH)
    assert res.recognized
    result = check(knowledge, [res])
    assert {f.id for f in result.findings if f.kind == "interaction"} == classes


@pytest.mark.parametrize("text,target,grade", CONDITION_ROWS, ids=[r[0] for r in CONDITION_ROWS])
def test_condition(knowledge: Any, resolver: Resolver, text: str, target: str, grade: str) -> None:
    res = resolver.resolve(text, HISTORY)
    assert res.recognized, f"{text!r} not recognized; suggestions {res.suggestions}"
    result = check(knowledge, [res])
    if target == "none":
        assert result.findings == () and result.items[0].status == "no-known-caution"
    else:
        assert [(f.id, f.severity) for f in result.findings if f.kind == "caution"] == [(target, grade)]


@pytest.mark.parametrize("text,suggested", [("oxycodon", "oxycodone"), ("gabapentine", "gabapentin"),
                                            ("xanx", "Xanax"), ("lisinipril", "lisinopril"),
                                            ("benzodiazapines", "benzodiazepines")])
def test_misspellings_are_not_checked_but_suggested(resolver: Resolver, text: str, suggested: str) -> None:
    res = resolver.resolve(text, WITH)
    assert not res.recognized
    assert suggested.casefold() in [s.casefold() for s in res.suggestions]


def test_no_harmless_drug_is_also_in_a_class(knowledge: Any) -> None:
    members = {m.name for c in knowledge.interactions for m in c.members}
    harmless = {d.name for d in knowledge.no_known_interaction.drugs}
    assert not members & harmless


def test_every_reference_class_has_broad_membership(knowledge: Any) -> None:
    sizes: Dict[str, int] = {c.id: len(c.members) for c in knowledge.interactions}
    for class_id in ("opioids", "benzodiazepines", "sedating-antihistamines", "antipsychotics", "anticonvulsants",
                     "antihypertensives", "antidiabetics", "ssris-snris"):
        assert sizes[class_id] >= 8, class_id
    assert len(knowledge.no_known_interaction.drugs) >= 150
    assert len(knowledge.products) >= 50


def test_every_entry_carries_defined_sources(knowledge: Any) -> None:
    tags = set(knowledge.sources)
    for c in knowledge.interactions:
        assert {r.split()[0] for r in c.sources} <= tags
    for c in knowledge.cautions:
        assert {r.split()[0] for r in c.sources} <= tags
    used = {r.split()[0] for s in knowledge.sections for e in s.entries for r in e.sources}
    assert "article" in used and "us-label" in used
