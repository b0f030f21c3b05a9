"""The screening speed-ups give exactly the answers of the plain ways they replace.

* The line reader tries only the spans some index key can match (``lines.span_words``, attached
  to the resolver's lookups): every corpus line and every item of a few thousand generated rows
  resolves exactly as with every span tried.
* Grading skips a combination rule whose clauses need a tag nobody has (``check._rule_tags``):
  the findings are those of trying every rule.

The whole ``baclo screen`` output is compared with a reference baclo by benchmarks/differential.py.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

import pytest

from baclofen_cli import check as grading
from baclofen_cli import lines
from baclofen_cli.check import check
from baclofen_cli.resolve import HISTORY, WITH, Resolution, Resolver

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "lines"


class _EverySpan(Resolver):
    """The resolver with lookups that carry no span table: ``lines._longest`` tries every span."""

    def _phrase(self, kind: str) -> Callable[[str], Optional[Tuple[str, str, str]]]:
        lookup = super()._phrase(kind)
        if hasattr(lookup, lines.SPAN_WORDS):
            delattr(lookup, lines.SPAN_WORDS)
        return lookup


def _corpus(name: str) -> List[str]:
    return [raw.split("\t", 1)[0] for raw in (CORPUS / name).read_text(encoding="utf-8").splitlines()
            if raw.strip() and not raw.startswith("#")]


def _generated(rows: int) -> List[Tuple[List[str], List[str], Optional[float]]]:
    """Rows made by benchmarks/screen.py's generator: (medication items, condition items, dose)."""
    spec = importlib.util.spec_from_file_location("bench_screen", ROOT / "benchmarks" / "screen.py")
    assert spec is not None and spec.loader is not None
    bench: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rng = random.Random(5)
    made = []
    for _ in range(rows):
        meds, conds, dose = bench.row_cells(rng)
        made.append((meds.split(";"), [c for c in conds.split("|") if c], float(dose) if dose else None))
    return made


def _items() -> List[Tuple[str, str]]:
    found = [(line, WITH) for line in _corpus("medications.tsv")]
    found += [(line, HISTORY) for line in _corpus("conditions.tsv")]
    for meds, conds, _ in _generated(3000):
        found += [(m, WITH) for m in meds] + [(c, HISTORY) for c in conds]
    # the corpora's lines read as the other kind too: the reader's other paths
    found += [(line, HISTORY) for line in _corpus("medications.tsv")[::3]]
    found += [(line, WITH) for line in _corpus("conditions.tsv")[::3]]
    return found


def test_span_table_reads_every_item_as_every_span_does(knowledge: Any) -> None:
    fast, slow = Resolver(knowledge, suggest=False), _EverySpan(knowledge, suggest=False)
    items = _items()
    assert len(items) > 15_000
    differing = [(text, kind) for text, kind in items if fast.resolve(text, kind) != slow.resolve(text, kind)]
    assert differing == []
    assert hasattr(fast._phrase(WITH), lines.SPAN_WORDS)  # the fast path was really taken
    assert not hasattr(slow._phrase(WITH), lines.SPAN_WORDS)


def test_span_table_comes_from_the_index() -> None:
    """Vocabulary added to the index is picked up: the table is derived from its keys, never a copy."""
    table = lines.span_words(["st johns wort", "st john s wort extract", "oxycodone", "max daily amount"])
    assert table == {"st": 5, "max": 3}
    found = {"max daily amount": ("drug", "x", "x"), "max": ("drug", "y", "y")}

    def lookup(key: str) -> Optional[Tuple[str, str, str]]:
        return found.get(key)

    setattr(lookup, lines.SPAN_WORDS, lines.span_words(found))
    words = "take max daily amount 2".split()
    assert lines._longest(words, 1, lookup) == (4, ("drug", "x", "x"))
    assert lines._longest(words, 0, lookup) is None
    found["take max"] = ("drug", "z", "z")  # a new multiword name: found once the table is rebuilt from the keys
    setattr(lookup, lines.SPAN_WORDS, lines.span_words(found))
    assert lines._longest(words, 0, lookup) == (2, ("drug", "z", "z"))


def test_spans_without_case_folding_on_lowercase_ascii() -> None:
    """The spans pattern without IGNORECASE is used only where it finds exactly what the folding one does."""
    texts = [t.lower() for t in _corpus("medications.tsv") + _corpus("conditions.tsv")]
    texts += [m.lower() for meds, _, _ in _generated(500) for m in meds]
    folding = lines._rx("spans")
    for text in texts:
        pattern = lines._spans(text)
        assert (pattern is folding) == (not text.isascii())
        assert [(m.span(), m.lastgroup) for m in pattern.finditer(text)] == \
            [(m.span(), m.lastgroup) for m in folding.finditer(text)], text
    assert lines._spans("\u017f") is folding and lines._spans("Q6H") is folding  # long s; capitals: folded


def test_fhir_urn_is_uuid5() -> None:
    import uuid

    from baclofen_cli.render import fhir

    rng = random.Random(11)
    alphabet = "aZ0 -#\u00e9\u2028\x1f\U0001f600"
    for _ in range(3000):
        parts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(rng.randrange(5))]
        assert fhir._urn(*parts) == f"urn:uuid:{uuid.uuid5(fhir.NAMESPACE, chr(31).join(parts))}"


def test_fhir_bundle_line_is_the_bundle_as_json(knowledge: Any) -> None:
    """Screening's FHIR line (findings' entries written as JSON as they are made) is json_text of the Bundle."""
    from types import SimpleNamespace

    from baclofen_cli.api import check_record
    from baclofen_cli.record import Record
    from baclofen_cli.render import fhir
    from baclofen_cli.render.safe import json_text

    resolver = Resolver(knowledge, suggest=False)
    meds, conds = _corpus("medications.tsv"), _corpus("conditions.tsv")
    rng = random.Random(8)
    records = [Record(medications=tuple(m), conditions=tuple(c), daily_dose_mg=d) for m, c, d in _generated(600)]
    records += [Record(medications=tuple(rng.choice(meds) for _ in range(rng.randint(1, 5))),
                       conditions=tuple(rng.choice(conds) for _ in range(rng.randint(0, 3))),
                       daily_dose_mg=rng.choice([None, 30.0, 120.0])) for _ in range(400)]
    records.append(Record(medications=("oxycodone \u00e9\u2028 5 mg", "Tylenol \u0420\u041c"), conditions=("CKD 4",)))
    ids = ["MRN1", "", "a b/\u00e9", "x" * 70, "\u202e1"]
    compared = 0
    for n, record in enumerate(records, 2):
        result = check_record(knowledge, record, resolver=resolver)
        for ident in (ids[n % len(ids)], ""):
            outcome = SimpleNamespace(row=SimpleNamespace(number=n, id=ident), result=result, error=None)
            for ascii in (False, True):
                slow = json_text(fhir.row_bundle(knowledge, n, ident, result, None), ascii=ascii,
                                 separators=(",", ":"))
                assert fhir.bundle_line(knowledge, outcome, ascii) == slow
                compared += 1
    assert compared == 4 * len(records)


def test_rule_prefilter_grades_as_trying_every_rule(knowledge: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = Resolver(knowledge, suggest=False)
    rows: List[Tuple[List[Resolution], Optional[float]]] = []
    for meds, conds, dose in _generated(2000):
        rows.append((resolver.resolve_all(meds, WITH) + resolver.resolve_all(conds, HISTORY), dose))
    meds, conds = _corpus("medications.tsv"), _corpus("conditions.tsv")
    rng = random.Random(3)
    for _ in range(1000):
        picked = [rng.choice(meds) for _ in range(rng.randint(1, 5))]
        named = [rng.choice(conds) for _ in range(rng.randint(0, 3))]
        rows.append((resolver.resolve_all(picked, WITH) + resolver.resolve_all(named, HISTORY),
                     rng.choice([None, 20.0, 90.0])))
    fast = [check(knowledge, res, dose) for res, dose in rows]
    assert sum(1 for r in fast if any(f.kind == "combination" for f in r.findings)) > 100
    every = [(rule, frozenset(), frozenset()) for rule in knowledge.combinations]  # no rule skipped
    monkeypatch.setattr(grading, "_rule_tags", lambda k: every)
    slow = [check(knowledge, res, dose) for res, dose in rows]
    assert fast == slow
