"""The regional_names section: names from other countries and record shorthand, each pointing at an entry."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from baclofen_cli.check import check
from baclofen_cli.errors import DataError
from baclofen_cli.knowledge import load_knowledge
from baclofen_cli.resolve import HISTORY, WITH, Resolver

REGIONAL: List[Dict[str, Any]] = [
    {"name": "co-oxydol", "ingredients": ["oxycodone", "paracetamol"], "countries": ["uk"], "sources": ["lab"]},
    {"name": "Diazemuls", "means": "diazepam", "countries": ["uk"], "sources": ["lab"]},
    {"name": "renal impairment stage x", "means": "ckd", "countries": ["au"], "sources": ["lab"]},
]


def _with_regional(raw: Dict[str, Any], entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    data = copy.deepcopy(raw)
    data["regional_names"] = entries
    return data


def test_regional_names_resolve_to_what_they_mean(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    k = load_knowledge(str(write_yaml(_with_regional(mini_raw, REGIONAL))))
    r = Resolver(k)
    assert [t.ref for t in r.resolve("co-oxydol 5/500 2 tabs QDS", WITH).targets] == ["oxycodone", "acetaminophen"]
    assert [t.ref for t in r.resolve("Diazemuls", WITH).targets] == ["diazepam"]
    assert [t.ref for t in r.resolve("renal impairment stage x", HISTORY).targets] == ["kidney-disease"]
    result = check(k, [r.resolve("co-oxydol", WITH)])
    assert {f.id for f in result.findings} == {"opioids"}


def test_the_section_is_optional(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    k = load_knowledge(str(write_yaml(mini_raw)))
    assert k.part("regional_names") == ()


@pytest.mark.parametrize("entry,message", [
    ({"name": "X1", "means": "nothing-here", "countries": ["uk"], "sources": ["lab"]},
     "regional_names[0].means: 'nothing-here' is not a name in the file"),
    ({"name": "X1", "ingredients": ["oxycodone", "unobtainium"], "countries": ["uk"], "sources": ["lab"]},
     "regional_names[0].ingredients[1]: 'unobtainium' is not a drug named in the file"),
    ({"name": "X1", "ingredients": ["Opioids"], "countries": ["uk"], "sources": ["lab"]},
     "regional_names[0].ingredients[0]: 'Opioids' is not a drug named in the file"),
    ({"name": "X1", "means": "diazepam", "ingredients": ["oxycodone"], "countries": ["uk"], "sources": ["lab"]},
     "regional_names[0]: a regional name gives exactly one of means or ingredients"),
    ({"name": "X1", "countries": ["uk"], "sources": ["lab"]},
     "regional_names[0]: a regional name gives exactly one of means or ingredients"),
    ({"name": "X1", "means": "diazepam", "countries": ["fr"], "sources": ["lab"]},
     "regional_names[0].countries[0]: 'fr' is not one of us, uk, ie, ca, au, nz"),
    ({"name": "X1", "means": "diazepam", "countries": [], "sources": ["lab"]},
     "regional_names[0].countries: at least one country is required"),
    ({"name": "X1", "means": "diazepam", "countries": ["uk"], "sources": ["nowhere"]},
     "regional_names[0].sources[0]: source tag 'nowhere' is not defined"),
    ({"name": "Valium", "means": "oxycodone", "countries": ["uk"], "sources": ["lab"]},
     "the co-medication name 'Valium' is already claimed"),
])
def test_a_bad_regional_name_is_refused_with_its_path(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path],
                                                      entry: Dict[str, Any], message: str) -> None:
    with pytest.raises(DataError) as e:
        load_knowledge(str(write_yaml(_with_regional(mini_raw, [entry]))))
    assert message in str(e.value)


@pytest.mark.parametrize("name,refs", [
    ("co-codamol", {"codeine", "acetaminophen"}), ("co-dydramol", {"dihydrocodeine", "acetaminophen"}),
    ("co-careldopa", {"carbidopa", "levodopa"}), ("co-beneldopa", {"levodopa", "benserazide"}),
    ("Solpadeine Plus", {"acetaminophen", "codeine", "caffeine"}), ("Nurofen Plus", {"ibuprofen", "codeine"}),
    ("OxyNorm", {"oxycodone"}), ("Zomorph", {"morphine"}), ("Oramorph", {"morphine"}), ("Tramacet",
    {"tramadol", "acetaminophen"}), ("Endone", {"oxycodone"}), ("Panadeine Forte", {"acetaminophen", "codeine"}),
    ("Zimovane", {"zopiclone"}), ("Stilnoct", {"zolpidem"}), ("Rivotril", {"clonazepam"}),
    ("Piriton", {"chlorpheniramine"}), ("Gravol", {"dimenhydrinate"}), ("Longtec", {"oxycodone"}),
    ("Zydol", {"tramadol"}), ("Hydromorph Contin", {"hydromorphone"}), ("M-Eslon", {"morphine"}),
    ("OxyNEO", {"oxycodone"}), ("Statex", {"morphine"}), ("Epilim", {"valproate"}), ("Istin", {"amlodipine"}),
    ("Sativex", {"nabiximols"}), ("pms-Baclofen", {"oral"}), ("Losec", {"omeprazole"}),
    ("Tecta", {"pantoprazole"}), ("Calpol", {"acetaminophen"}), ("Brufen", {"ibuprofen"}),
    ("Tylenol No. 1", {"acetaminophen", "caffeine", "codeine"}), ("MST Continus", {"morphine"}),
])
def test_uk_canadian_and_australian_names(knowledge: Any, name: str, refs: set) -> None:
    res = Resolver(knowledge).resolve(name, WITH)
    assert res.complete
    got = set()
    for t in res.targets:
        got.update(knowledge.products_by_name[t.ref].ingredients if t.kind == "product" else (t.ref,))
    assert got == refs


def test_every_regional_name_cites_a_defined_source_and_resolves(knowledge: Any) -> None:
    r = Resolver(knowledge)
    entries = knowledge.part("regional_names")
    assert len(entries) >= 200
    for entry in entries:
        kind = WITH if r.resolve(entry.name, WITH).recognized else HISTORY
        assert r.resolve(entry.name, kind).complete, entry.name
        assert all(ref.split(" ")[0] in knowledge.sources for ref in entry.sources)
