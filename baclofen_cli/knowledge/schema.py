"""Check a parsed knowledge file and build the typed model from it.

Every check raises ``SchemaError`` naming the path to the bad value, such as
``interactions[3].members[2].grade``. The same code runs on a file fresh from YAML
and on the compiled cache, so the two can never disagree about what is valid.
"""


import re
from types import MappingProxyType
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, TypeVar

from baclofen_cli.knowledge.model import (
    COUNTRIES,
    EFFECTS,
    GRADE_RANK,
    GRADES,
    LABEL_STATUSES,
    SIDE_EFFECT_GROUPS,
    SOURCE_KINDS,
    USE_KINDS,
    BaclofenForm,
    Caution,
    ClassWord,
    Clause,
    Combination,
    CountryMaximum,
    DoseLimit,
    DoseMessage,
    Dosing,
    Effects,
    Entry,
    Faq,
    InteractionClass,
    Knowledge,
    KnownCondition,
    KnownDrug,
    LabelStatus,
    Member,
    Meta,
    NoKnownCaution,
    NoKnownInteraction,
    PkRow,
    Product,
    RenalBand,
    Review,
    Section,
    SideEffect,
    Source,
    Target,
    TitrationStep,
    Use,
    Wording,
    ref_tag,
)
from baclofen_cli.names import normalize

SCHEMA_VERSION = 1
ICD10_SOURCE = "icd10cm"
"""The source every ICD-10-CM code in the file is cited to."""
ICD10_CODE = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")
STRUCTURED_SECTIONS = (
    "pharmacokinetics", "uses", "dosing", "side-effects", "interactions", "cautions", "faq",
)
T = TypeVar("T")
MEMBER_KEYS = ("name", "brands", "aliases", "grade", "note", "sources", "effects", "effect", "advice",
               "patient_effect", "patient_advice")


class SchemaError(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "empty"}.get(type(value), type(value).__name__)


class _Node:
    """A mapping from the file together with where it sits, for error messages."""

    __slots__ = ("data", "path")

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise SchemaError(path, f"expected a mapping, found {_kind(data)}")
        self.data: Dict[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            raise SchemaError(self.at(key), "required text is missing")
        return _as_text(value, self.at(key))

    def opt_text(self, key: str) -> Optional[str]:
        value = self.data.get(key)
        return None if value is None else _as_text(value, self.at(key))

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise SchemaError(self.at(key), f"expected true or false, found {_kind(value)}")
        return value

    def number(self, key: str, required: bool = True) -> Optional[float]:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value <= 0:
            raise SchemaError(self.at(key), f"expected a positive number, found {_kind(value)}")
        return float(value)

    def texts(self, key: str, required: bool = False) -> Tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise SchemaError(self.at(key), "required list is missing")
            return ()
        if not isinstance(value, list):
            raise SchemaError(self.at(key), f"expected a list, found {_kind(value)}")
        return tuple(_as_text(v, f"{self.at(key)}[{i}]") for i, v in enumerate(value))

    def choice(self, key: str, allowed: Tuple[str, ...], required: bool = True) -> Optional[str]:
        value = self.opt_text(key) if not required else self.text(key)
        if value is not None and value not in allowed:
            raise SchemaError(self.at(key), f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def items(self, key: str, build: Callable[["_Node"], T], required: bool = True) -> Tuple[T, ...]:
        value = self.data.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list):
            raise SchemaError(self.at(key), f"expected a list, found {_kind(value)}")
        return tuple(build(_Node(v, f"{self.at(key)}[{i}]")) for i, v in enumerate(value))

    def child(self, key: str) -> "_Node":
        if key not in self.data:
            raise SchemaError(self.at(key), "required mapping is missing")
        return _Node(self.data[key], self.at(key))

    def only(self, keys: Tuple[str, ...]) -> None:
        """Refuse a key this mapping does not define (a YAML comma can split a note into a stray key)."""
        for key in self.data:
            if key not in keys:
                shown = str(key) if str(key).isprintable() else repr(str(key))  # a key with a line break: one line
                raise SchemaError(self.at(shown), f"unknown key; expected one of {', '.join(keys)}")


def _as_text(value: Any, path: str) -> str:
    if isinstance(value, str):
        if not value or value.isspace():
            raise SchemaError(path, "text is empty")
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise SchemaError(path, f"expected text, found {_kind(value)}")


class _TrustedNode(_Node):
    """The same reading interface without the checks, for content that already passed them.

    Used only for the compiled cache, which is written after a successful check and
    is keyed by the hash of the exact YAML bytes and of this code's version.
    """

    __slots__ = ()

    def __init__(self, data: Any, path: str) -> None:
        self.data = data
        self.path = path

    def text(self, key: str) -> str:
        return self.data[key]  # type: ignore[no-any-return]

    def opt_text(self, key: str) -> Optional[str]:
        return self.data.get(key)

    def flag(self, key: str, default: bool = False) -> bool:
        return self.data.get(key, default)  # type: ignore[no-any-return]

    def number(self, key: str, required: bool = True) -> Optional[float]:
        value = self.data.get(key)
        return None if value is None else float(value)

    def texts(self, key: str, required: bool = False) -> Tuple[str, ...]:
        return tuple(self.data.get(key) or ())

    def choice(self, key: str, allowed: Tuple[str, ...], required: bool = True) -> Optional[str]:
        return self.data.get(key)

    def items(self, key: str, build: Callable[["_Node"], T], required: bool = True) -> Tuple[T, ...]:
        return tuple(build(_TrustedNode(v, "")) for v in self.data.get(key) or ())

    def only(self, keys: Tuple[str, ...]) -> None:
        return None

    def child(self, key: str) -> "_Node":
        return _TrustedNode(self.data[key], "")


class _Builder:
    """Builds the model; knows the defined source tags so every reference can be checked."""

    def __init__(self, source_tags: Mapping[str, Source], trusted: bool = False) -> None:
        self.source_tags = source_tags
        self.trusted = trusted

    def refs(self, node: _Node, key: str = "sources") -> Tuple[str, ...]:
        refs = node.texts(key, required=True)
        if self.trusted:
            return refs
        if not refs:
            raise SchemaError(node.at(key), "at least one source is required")
        for i, ref in enumerate(refs):
            if ref_tag(ref) not in self.source_tags:
                raise SchemaError(
                    f"{node.at(key)}[{i}]",
                    f"source tag {ref_tag(ref)!r} is not defined under 'sources'",
                )
        return refs

    def entry(self, n: _Node) -> Entry:
        return Entry(n.text("text"), self.refs(n), n.opt_text("label"),
                     n.opt_text("article_claim"), n.opt_text("note"), n.opt_text("patient_text"),
                     n.opt_text("patient_label"))

    def section(self, n: _Node) -> Section:
        return Section(n.text("id"), n.text("title"), n.texts("aliases"), n.text("summary"),
                       n.items("entries", self.entry), n.opt_text("patient_title"))

    def pk_row(self, n: _Node) -> PkRow:
        return PkRow(n.text("parameter"), n.text("reference"), n.opt_text("article"),
                     self.refs(n), n.opt_text("note"))

    def use(self, n: _Node) -> Use:
        kind = n.choice("kind", USE_KINDS) or ""
        evidence = n.opt_text("evidence")
        if kind == "off-label" and evidence is None:
            raise SchemaError(n.at("evidence"), "an off-label use needs an evidence note")
        labelled = n.items("labelled", self.label_status, required=False)
        return Use(n.text("name"), kind, n.flag("in_article"), labelled, evidence, self.refs(n),
                   n.opt_text("patient_name"))

    def label_status(self, n: _Node) -> LabelStatus:
        source = n.text("source")
        if ref_tag(source) not in self.source_tags:
            raise SchemaError(n.at("source"), f"source tag {ref_tag(source)!r} is not defined under 'sources'")
        return LabelStatus(source, n.choice("status", LABEL_STATUSES) or "", n.opt_text("note"))

    def dosing(self, n: _Node) -> Dosing:
        steps = n.items("titration", lambda s: TitrationStep(s.text("days"), s.text("dose"),
                                                              s.number("daily_mg") or 0.0))
        a = n.child("above_maximum")
        above = DoseMessage(a.choice("grade", GRADES) or "", a.text("title"), a.text("text"),
                            a.text("advice"), a.text("patient_text"), a.text("patient_advice"),
                            self.refs(a))
        by_country = n.items("by_country", self.country_maximum, required=False)
        bands = n.items("renal_bands", self.renal_band, required=False)
        return Dosing(n.number("max_daily_mg") or 0.0, self.refs(n), steps,
                      n.items("notes", self.entry), above, by_country, bands)

    def country_maximum(self, n: _Node) -> CountryMaximum:
        return CountryMaximum(n.choice("country", COUNTRIES) or "", n.number("max_daily_mg") or 0.0,
                              n.opt_text("setting"), self.refs(n))

    def renal_band(self, n: _Node) -> RenalBand:
        below = n.number("below") or 0.0
        at_least = float(n.data.get("at_least") or 0)
        if not self.trusted and (isinstance(n.data.get("at_least", 0), bool)
                                 or not isinstance(n.data.get("at_least", 0), (int, float)) or at_least >= below):
            raise SchemaError(n.at("at_least"), "expected a number of mL/min below 'below'")
        return RenalBand(n.text("id"), n.text("name"), below, at_least, n.choice("grade", GRADES) or "",
                         n.number("max_mg_per_day", required=False), n.text("text"), n.text("advice"),
                         n.text("patient_text"), n.text("patient_advice"), self.refs(n),
                         n.choice("within_grade", GRADES, required=False))

    def side_effect(self, n: _Node) -> SideEffect:
        groups = n.texts("groups", required=True)
        if not groups:
            raise SchemaError(n.at("groups"), "at least one group is required")
        for i, g in enumerate(groups):
            if g not in SIDE_EFFECT_GROUPS:
                raise SchemaError(f"{n.at('groups')}[{i}]", f"{g!r} is not one of {', '.join(SIDE_EFFECT_GROUPS)}")
        return SideEffect(n.text("name"), n.opt_text("patient_name"), groups,
                          n.opt_text("frequency"), n.flag("in_article"), self.refs(n))

    def faq(self, n: _Node) -> Faq:
        return Faq(n.text("question"), n.text("answer"), self.refs(n), n.opt_text("patient_answer"))

    def effects(self, n: _Node, key: str, default_refs: Tuple[str, ...]) -> Effects:
        """``effects:`` as a list of names (shown by ``default_refs``) or a mapping name -> references."""
        value = n.data.get(key)
        if self.trusted:
            if isinstance(value, dict):
                return tuple((name, tuple(refs)) for name, refs in value.items())
            return tuple((name, default_refs) for name in value or ())
        if value is None:
            return ()
        if isinstance(value, list):
            names = n.texts(key)
            pairs = [(name, default_refs) for name in names]
        elif isinstance(value, dict):
            pairs = []
            for name in value:
                child = _Node({"sources": value[name]}, n.at(key))
                refs = self.refs(child)
                pairs.append((str(name), refs))
        else:
            raise SchemaError(n.at(key), f"expected a list of effects or a mapping effect -> sources, found {_kind(value)}")
        for i, (name, _) in enumerate(pairs):
            if name not in EFFECTS:
                raise SchemaError(f"{n.at(key)}[{i}]", f"{name!r} is not one of {', '.join(EFFECTS)}")
        return tuple(pairs)

    def member(self, n: _Node) -> Member:
        n.only(MEMBER_KEYS)
        grade = n.choice("grade", GRADES, required=False)
        note = n.opt_text("note")
        if grade is not None and note is None:
            raise SchemaError(n.at("note"), "a member whose grade differs from its class needs a note")
        own_refs = self.refs(n) if n.data.get("sources") is not None else ()
        effects = None
        if "effects" in n.data:
            if isinstance(n.data.get("effects"), list) and n.data["effects"] and not own_refs:
                raise SchemaError(n.at("sources"), "a member listing its own effects needs sources that show them")
            effects = self.effects(n, "effects", own_refs)
        wording = None
        if n.data.get("effect") is not None:
            if not own_refs:
                raise SchemaError(n.at("sources"), "a member with its own wording needs its own sources")
            wording = Wording(n.text("effect"), n.text("advice"), n.text("patient_effect"),
                              n.text("patient_advice"), own_refs)
        return Member(n.text("name"), n.texts("brands"), n.texts("aliases"), grade, note, effects, wording)

    def interaction(self, n: _Node) -> InteractionClass:
        refs = self.refs(n)
        members = n.items("members", self.member)
        examples = n.texts("patient_examples")
        if examples and not isinstance(n, _TrustedNode):  # the cache holds only what was validated
            named = {name.casefold() for m in members for name in (m.name, *m.brands, *m.aliases)}
            for i, example in enumerate(examples):
                if example.casefold() not in named:
                    raise SchemaError(f"{n.at('patient_examples')}[{i}]",
                                      f"{example!r} is not a member of this class, nor one of its brands or aliases")
        return InteractionClass(
            n.text("id"), n.text("name"), n.texts("aliases"), n.choice("grade", GRADES) or "",
            self.effects(n, "effects", refs), n.text("effect"), n.text("advice"), n.text("patient_effect"),
            n.text("patient_advice"), refs, members, n.opt_text("patient_name"),
            n.opt_text("short"), n.opt_text("patient_short"), examples,
        )

    def review(self, n: _Node) -> Review:
        label = n.text("label")
        if not self.trusted:
            if ref_tag(label) not in self.source_tags:
                raise SchemaError(n.at("label"), f"source tag {ref_tag(label)!r} is not defined under 'sources'")
            none_of = n.texts("none_of", required=True)
            for i, name in enumerate(none_of):
                if name not in EFFECTS:
                    raise SchemaError(f"{n.at('none_of')}[{i}]", f"{name!r} is not one of {', '.join(EFFECTS)}")
            judged_raw = n.data.get("judged") or {}
            if not isinstance(judged_raw, dict):
                raise SchemaError(n.at("judged"), f"expected a mapping effect -> reason, found {_kind(judged_raw)}")
            for name, reason in judged_raw.items():
                if name not in EFFECTS:
                    raise SchemaError(f"{n.at('judged')}.{name}", f"{name!r} is not one of {', '.join(EFFECTS)}")
                if name in none_of:
                    raise SchemaError(f"{n.at('judged')}.{name}", "an effect is either absent (none_of) or judged, not both")
                _as_text(reason, f"{n.at('judged')}.{name}")
            missing = [e for e in EFFECTS if e not in none_of and e not in judged_raw]
            if missing:
                raise SchemaError(n.at("none_of"), "the label must be recorded as reviewed for every effect; "
                                  f"missing: {', '.join(missing)}")
        judged = tuple((str(k), str(v)) for k, v in (n.data.get("judged") or {}).items())
        return Review(label, n.texts("none_of"), judged)

    def known_drug(self, d: _Node) -> KnownDrug:
        if d.data.get("reviewed") is None:
            if not self.trusted:
                raise SchemaError(d.at("reviewed"), "a no-known-interaction drug needs the record that its label "
                                  f"was reviewed for every effect ({', '.join(EFFECTS)}) and shows none, naming the label")
            reviewed = None
        else:
            reviewed = self.review(d.child("reviewed"))
        return KnownDrug(d.text("name"), d.texts("brands"), d.texts("aliases"), d.opt_text("use"), reviewed)

    def no_known_interaction(self, n: _Node) -> NoKnownInteraction:
        drugs = n.items("drugs", self.known_drug)
        return NoKnownInteraction(n.text("statement"), n.text("patient_statement"), self.refs(n), drugs)

    def class_word(self, n: _Node) -> ClassWord:
        classes = n.texts("classes", required=True)
        if len(classes) < 2 and not self.trusted:
            raise SchemaError(n.at("classes"), "a class word names at least two classes")
        return ClassWord(n.text("name"), n.texts("aliases"), classes, n.text("note"), n.text("patient_note"))

    def baclofen_form(self, n: _Node) -> BaclofenForm:
        form_id = n.choice("id", ("oral", "intrathecal")) or ""
        grade = n.choice("grade", GRADES, required=False)
        title, effect, advice, p_effect, p_advice = (
            n.opt_text(k) for k in ("title", "effect", "advice", "patient_effect", "patient_advice"))
        if grade is not None and None in (title, effect, advice, p_effect, p_advice) and not self.trusted:
            raise SchemaError(n.path, "a graded baclofen form needs title, effect, advice, patient_effect and patient_advice")
        return BaclofenForm(form_id, n.text("name"), n.texts("brands"), n.texts("aliases"), grade,
                            title, effect, advice, p_effect, p_advice, self.refs(n))

    def product(self, n: _Node) -> Product:
        ingredients = n.texts("ingredients", required=True)
        if len(ingredients) < 1:
            raise SchemaError(n.at("ingredients"), "a product needs at least one ingredient")
        return Product(n.text("name"), n.texts("aliases"), ingredients, self.refs(n))

    def codes(self, n: _Node) -> Tuple[str, ...]:
        codes = n.texts("icd10")
        if codes and not self.trusted:
            for i, code in enumerate(codes):
                if not ICD10_CODE.fullmatch(code):
                    raise SchemaError(f"{n.at('icd10')}[{i}]", f"{code!r} is not an ICD-10-CM code or prefix like N18 or Z99.2")
            if ICD10_SOURCE not in self.source_tags:
                raise SchemaError(n.at("icd10"), f"ICD-10-CM codes need the source tag {ICD10_SOURCE!r} defined")
        return codes

    def dose_limit(self, n: _Node) -> DoseLimit:
        return DoseLimit(n.number("max_mg_per_day", required=False), n.choice("grade", GRADES) or "",
                         n.text("text"), n.text("patient_text"), self.refs(n))

    def caution(self, n: _Node) -> Caution:
        limit = self.dose_limit(n.child("dose_limit")) if n.data.get("dose_limit") is not None else None
        return Caution(
            n.text("id"), n.text("name"), n.texts("aliases"), n.choice("grade", GRADES) or "",
            n.texts("tags"), n.text("why"), n.text("advice"), n.text("patient_why"),
            n.text("patient_advice"), self.refs(n), limit, self.codes(n), n.opt_text("renal_band"),
            n.opt_text("patient_name"),
        )

    def no_known_caution(self, n: _Node) -> NoKnownCaution:
        conditions = n.items("conditions", lambda c: KnownCondition(c.text("name"), c.texts("aliases"), self.codes(c)))
        return NoKnownCaution(n.text("statement"), n.text("patient_statement"), self.refs(n), conditions)

    def clause(self, n: _Node) -> Clause:
        with_effect = n.opt_text("with_effect") or n.opt_text("with_tag")
        clause = Clause(with_effect, n.opt_text("history_tag"), n.choice("min_grade", GRADES, required=False))
        if (clause.with_tag is None) == (clause.history_tag is None):
            raise SchemaError(n.path, "a clause names exactly one of with_effect or history_tag")
        if clause.with_tag is not None and clause.with_tag not in EFFECTS and not self.trusted:
            raise SchemaError(n.at("with_effect"), f"{clause.with_tag!r} is not one of {', '.join(EFFECTS)}")
        return clause

    def combination(self, n: _Node) -> Combination:
        grade = n.choice("grade", GRADES) or ""
        if GRADE_RANK[grade] < GRADE_RANK["moderate"]:
            raise SchemaError(n.at("grade"), "a combination is graded at least moderate")
        when = n.items("when", self.clause)
        if len(when) < 2:
            raise SchemaError(n.at("when"), "a combination needs at least two clauses")
        return Combination(
            n.text("id"), n.text("title"), grade, when, n.texts("suppressed_by"), n.text("why"),
            n.text("advice"), n.text("patient_why"), n.text("patient_advice"), self.refs(n),
            n.opt_text("patient_title"),
        )


SOURCE_KEYS = ("title", "citation", "kind", "note", "url", "date", "version", "document", "checked")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
"""ASCII digits only: ``int()`` reads full-width or other scripts' digits too (hostile round 8, N3)."""


def _source_url(s: _Node) -> Optional[str]:
    """A link is an absolute http(s) address with no spaces, or absent."""
    url = s.opt_text("url")
    if url is not None and (not url.startswith(("https://", "http://")) or any(c.isspace() for c in url)):
        raise SchemaError(s.at("url"), f"expected an http(s) address without spaces, found {url!r}")
    return url


def _source_date(s: _Node, key: str, form: "re.Pattern[str]") -> Optional[str]:
    """A date written as ISO text (quoted in the YAML): a real calendar date, or a year (and month) where allowed."""
    value = s.data.get(key)
    if value is None or isinstance(s, _TrustedNode):  # the compiled cache was checked when written
        return value
    if not isinstance(value, str):
        raise SchemaError(s.at(key), f"expected an ISO date in quotes (YYYY-MM-DD), found {_kind(value)}")
    wanted = "YYYY-MM-DD" if form is _FULL_DATE else "YYYY, YYYY-MM or YYYY-MM-DD"
    if not form.fullmatch(value):
        raise SchemaError(s.at(key), f"expected a date as {wanted}, found {value!r}")
    import datetime  # deferred: only a source that carries a date pays for it

    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise SchemaError(s.at(key), f"{value!r} is not a real date") from None
    return value


def _sources(root: _Node) -> Mapping[str, Source]:
    node = root.child("sources")
    sources = {}
    for tag, value in node.data.items():
        if not isinstance(tag, str) or not tag or " " in tag:
            raise SchemaError(node.at(str(tag)), "a source tag is one word")
        s = _Node(value, node.at(tag))
        s.only(SOURCE_KEYS)
        sources[tag] = Source(tag, s.text("title"), s.text("citation"),
                              s.choice("kind", SOURCE_KINDS) or "", s.opt_text("note"),
                              _source_url(s), _source_date(s, "date", _PARTIAL_DATE),
                              s.opt_text("version"), s.opt_text("document"),
                              _source_date(s, "checked", _FULL_DATE))
    if not sources:
        raise SchemaError(node.path, "no sources are defined")
    return MappingProxyType(sources)


def build_knowledge(raw: Any, *, path: str, digest: str,
                    names: Optional[Tuple[Mapping[str, Sequence[str]], Mapping[str, Sequence[str]]]] = None) -> Knowledge:
    """Check ``raw`` (the parsed file) and build the model.

    ``names`` is the pair of name indexes saved with this exact content in the
    compiled cache: then the content is known to be valid and is read without
    checks. Without it, everything is checked and the indexes are built.
    """
    trusted = names is not None
    root = _TrustedNode(raw, "") if trusted else _Node(raw, "")
    version = root.data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaError("schema_version", f"expected {SCHEMA_VERSION}, found {version!r}")
    b = _Builder(_sources(root), trusted)

    def meta() -> Meta:
        m = root.child("meta")
        return Meta(m.text("drug"), m.text("data_version"), m.text("reviewed"), m.text("disclaimer"),
                    m.text("patient_disclaimer"))

    parts: Dict[str, Callable[[], Any]] = {
        "meta": meta,
        "sources": lambda: b.source_tags,
        "sections": lambda: root.items("sections", b.section),
        "pharmacokinetics": lambda: root.items("pharmacokinetics", b.pk_row),
        "uses": lambda: root.items("uses", b.use),
        "dosing": lambda: b.dosing(root.child("dosing")),
        "side_effects": lambda: root.items("side_effects", b.side_effect),
        "interactions": lambda: root.items("interactions", b.interaction),
        "no_known_interaction": lambda: b.no_known_interaction(root.child("no_known_interaction")),
        "products": lambda: root.items("products", b.product, required=False),
        "class_words": lambda: root.items("class_words", b.class_word, required=False),
        "baclofen_itself": lambda: root.items("baclofen_itself", b.baclofen_form, required=False),
        "cautions": lambda: root.items("cautions", b.caution),
        "no_known_caution": lambda: b.no_known_caution(root.child("no_known_caution")),
        "combinations": lambda: root.items("combinations", b.combination, required=False),
        "faq": lambda: root.items("faq", b.faq),
    }
    _hook_regional_names(parts, root, b)
    if names is not None:
        return Knowledge(path, digest, parts, MappingProxyType(names[0]), MappingProxyType(names[1]))
    knowledge = Knowledge(path, digest, parts, MappingProxyType({}), MappingProxyType({}))
    for name in parts:  # build and check every part now
        knowledge.part(name)
    _check_references(knowledge)
    meds, conditions = build_name_indexes(knowledge)
    return knowledge.with_names(MappingProxyType(meds), MappingProxyType(conditions))


def _unique_ids(items: Tuple[Any, ...], key: str, what: str) -> None:
    seen: Dict[str, int] = {}
    for i, item in enumerate(items):
        ident = getattr(item, "id", None) or item.name
        if ident in seen:
            raise SchemaError(f"{key}[{i}]", f"{what} {ident!r} is already defined at {key}[{seen[ident]}]")
        seen[ident] = i


def _check_references(k: Knowledge) -> None:
    _unique_ids(k.sections, "sections", "section id")
    _unique_ids(k.interactions, "interactions", "class id")
    _unique_ids(k.cautions, "cautions", "caution id")
    _unique_ids(k.combinations, "combinations", "combination id")
    section_ids = {s.id for s in k.sections}
    claimed: Dict[str, str] = {}
    for i, s in enumerate(k.sections):
        for name in (s.id, s.title, *s.aliases):
            key = normalize(name)
            if claimed.setdefault(key, s.id) != s.id:
                raise SchemaError(f"sections[{i}]", f"the section name {name!r} is already used by section {claimed[key]!r}")
    for required in STRUCTURED_SECTIONS:
        if required not in section_ids:
            raise SchemaError("sections", f"the section {required!r} is missing (give its title and summary)")
    class_tags = set(EFFECTS)
    caution_tags = {t for c in k.cautions for t in c.tags}
    class_ids = {c.id for c in k.interactions}
    for i, word in enumerate(k.class_words):
        for j, cid in enumerate(word.classes):
            if cid not in class_ids:
                raise SchemaError(f"class_words[{i}].classes[{j}]", f"{cid!r} is not an interaction class id")
    band_ids = {b.id for b in k.dosing.renal_bands}
    for i, caution in enumerate(k.cautions):
        if caution.renal_band is not None and caution.renal_band not in band_ids:
            raise SchemaError(f"cautions[{i}].renal_band", f"{caution.renal_band!r} is not a dosing.renal_bands id")
    combo_ids = {c.id for c in k.combinations}
    for i, combo in enumerate(k.combinations):
        for j, clause in enumerate(combo.when):
            if clause.with_tag is not None and clause.with_tag not in class_tags:
                raise SchemaError(f"combinations[{i}].when[{j}].with_effect",
                                  f"{clause.with_tag!r} is not one of {', '.join(EFFECTS)}")
            if clause.history_tag is not None and clause.history_tag not in caution_tags:
                raise SchemaError(f"combinations[{i}].when[{j}].history_tag",
                                  f"no caution has the tag {clause.history_tag!r}")
        for j, other in enumerate(combo.suppressed_by):
            if other not in combo_ids or other == combo.id:
                raise SchemaError(f"combinations[{i}].suppressed_by[{j}]",
                                  f"{other!r} is not another combination id")
    class_members = {m.name: f"interactions[{i}].members[{j}]"
                     for i, c in enumerate(k.interactions) for j, m in enumerate(c.members)}
    for i, drug in enumerate(k.no_known_interaction.drugs):
        if drug.name in class_members:
            raise SchemaError(f"no_known_interaction.drugs[{i}].name",
                              f"{drug.name!r} is also a member of a class at {class_members[drug.name]}")
    known = set(class_members) | {d.name for d in k.no_known_interaction.drugs}
    for i, product in enumerate(k.products):
        for j, ingredient in enumerate(product.ingredients):
            if ingredient not in known:
                raise SchemaError(f"products[{i}].ingredients[{j}]",
                                  f"{ingredient!r} is neither a class member nor a no-known-interaction drug")


class _NameRegistry:
    """Collects names into one namespace, refusing a name claimed twice."""

    def __init__(self, space: str) -> None:
        self.space = space
        self.index: Dict[str, Target] = {}
        self.owner: Dict[str, str] = {}

    def add_if_free(self, name: str, target: Target) -> None:
        """Claim a name only if nothing else has (for class ids, which are a convenience)."""
        self.index.setdefault(normalize(name), target)

    def add(self, name: str, target: Target, path: str) -> None:
        key = normalize(name)
        if not key:
            raise SchemaError(path, f"the name {name!r} has no letters or digits to match on")
        previous = self.index.get(key)
        if previous is not None:
            if previous[:2] == target[:2]:
                return  # the same entry naming itself twice (e.g. id and name) is harmless
            raise SchemaError(path, f"the {self.space} name {name!r} is already claimed at {self.owner[key]}")
        self.index[key] = target
        self.owner[key] = path


def build_name_indexes(k: Knowledge) -> Tuple[Dict[str, Target], Dict[str, Target]]:
    """Normalized name -> target, for co-medications and for conditions."""
    meds = _NameRegistry("co-medication")
    for i, c in enumerate(k.interactions):
        meds.add(c.name, Target("class", c.id, c.name), f"interactions[{i}].name")
        for j, alias in enumerate(c.aliases):
            meds.add(alias, Target("class", c.id, alias), f"interactions[{i}].aliases[{j}]")
        for j, m in enumerate(c.members):
            _add_drug(meds, m.name, m.brands, m.aliases, f"interactions[{i}].members[{j}]")
    for i, d in enumerate(k.no_known_interaction.drugs):
        _add_drug(meds, d.name, d.brands, d.aliases, f"no_known_interaction.drugs[{i}]")
    for i, w in enumerate(k.class_words):
        for j, name in enumerate((w.name, *w.aliases)):
            meds.add(name, Target("class-word", w.name, name), f"class_words[{i}]" + (f".aliases[{j - 1}]" if j else ".name"))
    for i, form in enumerate(k.baclofen_itself):
        _add_named(meds, "baclofen", form.id, form.name, form.brands, form.aliases, f"baclofen_itself[{i}]")
    for c in k.interactions:  # ids last: `baclo interactions ID` works unless a real name uses the words
        meds.add_if_free(c.id, Target("class", c.id, c.name))
    for i, p in enumerate(k.products):
        meds.add(p.name, Target("product", p.name, p.name), f"products[{i}].name")
        for j, alias in enumerate(p.aliases):
            meds.add(alias, Target("product", p.name, alias), f"products[{i}].aliases[{j}]")
    conditions = _NameRegistry("condition")
    for i, caution in enumerate(k.cautions):
        conditions.add(caution.name, Target("caution", caution.id, caution.name), f"cautions[{i}].name")
        for j, alias in enumerate(caution.aliases):
            conditions.add(alias, Target("caution", caution.id, alias), f"cautions[{i}].aliases[{j}]")
        for j, code in enumerate(caution.icd10):
            conditions.add(icd10_key(code), Target("caution", caution.id, f"ICD-10-CM {code}"),
                           f"cautions[{i}].icd10[{j}]")
    for i, kc in enumerate(k.no_known_caution.conditions):
        conditions.add(kc.name, Target("known-condition", kc.name, kc.name),
                       f"no_known_caution.conditions[{i}].name")
        for j, alias in enumerate(kc.aliases):
            conditions.add(alias, Target("known-condition", kc.name, alias),
                           f"no_known_caution.conditions[{i}].aliases[{j}]")
        for j, code in enumerate(kc.icd10):
            conditions.add(icd10_key(code), Target("known-condition", kc.name, f"ICD-10-CM {code}"),
                           f"no_known_caution.conditions[{i}].icd10[{j}]")
    _hook_add_regional_names(k, meds, conditions)
    return meds.index, conditions.index


def _hook_regional_names(parts: Dict[str, Callable[[], Any]], root: _Node, b: "_Builder") -> None:
    """The ``regional_names`` section (see ``knowledge/regional.py``): built like the other parts."""
    from baclofen_cli.knowledge.regional import build_regional_names

    parts["regional_names"] = lambda: build_regional_names(root, b)


def _hook_add_regional_names(k: Knowledge, meds: "_NameRegistry", conditions: "_NameRegistry") -> None:
    """Regional names join the indexes last: each points at a name already registered."""
    from baclofen_cli.knowledge.regional import add_regional_names

    add_regional_names(k, meds, conditions)


def icd10_key(code: str) -> str:
    """The index key of an ICD-10-CM code or prefix: ``Z99.2`` -> ``icd10 z992``."""
    return "icd10 " + code.replace(".", "").lower()


def _add_named(registry: _NameRegistry, kind: str, ref: str, name: str, brands: Tuple[str, ...],
               aliases: Tuple[str, ...], path: str) -> None:
    registry.add(name, Target(kind, ref, name), f"{path}.name")
    for j, brand in enumerate(brands):
        registry.add(brand, Target(kind, ref, brand), f"{path}.brands[{j}]")
    for j, alias in enumerate(aliases):
        registry.add(alias, Target(kind, ref, alias), f"{path}.aliases[{j}]")


def _add_drug(registry: _NameRegistry, name: str, brands: Tuple[str, ...],
              aliases: Tuple[str, ...], path: str) -> None:
    registry.add(name, Target("drug", name, name), f"{path}.name")
    for j, brand in enumerate(brands):
        registry.add(brand, Target("drug", name, brand), f"{path}.brands[{j}]")
    for j, alias in enumerate(aliases):
        registry.add(alias, Target("drug", name, alias), f"{path}.aliases[{j}]")
