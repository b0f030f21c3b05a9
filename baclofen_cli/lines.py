"""Read a medication or condition line as clinicians and record systems write it.

One invariant: every word of a line is accounted for, or the line is not fully
checked. A word is accounted for when it is a known name (looked up by the
caller), part of the dose and instruction vocabulary (strengths, units, forms,
release words, salts, routes, frequencies, quantities), or an indication after
"for" or PRN that is itself a known symptom or condition word. Anything else is
returned as unaccounted, so the item is shown as partly checked, never clear.

Pure text functions: no knowledge file, no I/O. Regular expressions are
compiled on first use.
"""

import re
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from baclofen_cli.names import normalize
from baclofen_cli.record import RenalFunction

Lookup = Callable[[str], Optional[Tuple[str, str, str]]]
"""Normalized phrase -> the fields of a ``Target``, or None."""

MAX_NAME_WORDS = 7

# -- vocabulary ---------------------------------------------------------------------------------

_FORMS = frozenset("""
tab tabs tablet tablets tbl cap caps capsule capsules pill pills caplet caplets gelcap gelcaps softgel softgels
solution soln sol susp suspension syrup elixir liquid drops drop injection injections inj injectable vial vials
ampoule ampoules amp pen pens cartridge prefilled syringe syringes patch patches system film films lozenge
lozenges troche troches suppository suppositories supp cream ointment oint gel jelly lotion foam shampoo spray
sprays nasal inhaler inhalers inhalation inhalations aerosol nebulizer nebuliser neb nebs nebules respules puff
puffs powder granules granule packet packets sachet sachets chewable chew chewables dispersible effervescent
orodispersible odt disintegrating dissolving soluble wafer wafers strip strips kit concentrate emulsion enema
implant insert ring depot kwikpen flexpen flextouch solostar hfa diskus ellipta respimat handihaler turbuhaler
autoinjector dose doses unit units application applications applicator dosepack dose-pack pack blister bottle
mdi dpi drip infusion ir iv bolus lollipop buccal sublingual transdermal topical ophthalmic otic vaginal rectal
tsp teaspoon teaspoons tbsp tablespoon tablespoons ml scoop scoops capful capfuls soltab soltabs chrono oromucosal
accuhaler evohaler easyhaler clickhaler autohaler turbohaler novolizer genuair breezhaler spiromax melt melts
liquigels liquigel liquicaps oromucosal mucoadhesive glass glasses drink drinks cup cups pint pints can cans
bottle bottles shot shots
""".split())

_RELEASE = frozenset("""
er xr sr cr xl la dr ec cd mr ir pr sa xt ds es hp ext extended release released immediate delayed modified
controlled sustained prolonged continuous coated enteric film-coated retard continus contin hr hour 12 24
long acting short rapid regular strength gastro resistant gastroresistant junior childrens children adult adults infant infants
""".split())

_SALTS = frozenset("""
hydrochloride hcl hydrobromide hbr bitartrate tartrate maleate phosphate sulfate sulphate sodium potassium
calcium magnesium citrate acetate succinate fumarate mesylate mesilate besylate besilate chloride bromide
carbonate oxalate dihydrate monohydrate trihydrate anhydrous hyclate disodium dipropionate propionate furoate
valerate benzoate gluconate lactate hemifumarate xinafoate bromide napsylate pamoate decanoate enanthate
palmitate lauroxil monohydrochloride dihydrochloride hemitartrate teoclate trometamol tromethamine salicylate
porcine bovine human recombinant base
""".split())

_ROUTES = frozenset("""
po p.o. oral orally mouth by per os sl sublingually iv intravenous intravenously im intramuscular
intramuscularly sc sq subq subcut subcutaneous subcutaneously pr rectally pv vaginally topically inhaled
intranasal intranasally nostril nostrils eye eyes ear ears skin via route ng peg tube gt nasogastric
transdermally affected area areas each both left right
""".split())

_FREQUENCY = frozenset("""
daily od qd qday qdaily bid bd tid tds qid qds qhs hs nocte mane qam qpm am pm qod qad weekly monthly
fortnightly once twice thrice three four times time day days a an per every each other alternate morning
mornings evening evenings night nights nightly bedtime noon midday afternoon at in the hour hours hrs hr h
week weeks wk wks month months minute minutes min mins x prn needed required necessary if when as sos stat
while awake then and or to up max maximum not exceed more than no of continuous continuously regularly
regular scheduled routine chronic ongoing long term short course taper tapering titrate titrating
breakfast lunch dinner supper meal meals food empty stomach with after before pc ac water milk glass
take takes taking taken give given use used using apply applied inhale instill insert chew dissolve swallow
place spray rinse wash shake well inject injected
sig disp dispense qty quantity refill refills rf dx for directed instructed on be hourly onset do than more
exceed doses crush total into onto lung lungs nare nares remove discard within md doctor physician
prescriber provider wc pc ac
""".split())
"""Frequency, timing and instruction words. "for" starts an indication (handled separately)."""

_MAKERS = frozenset("""
apo pms teva sandoz mylan ratio novo jamp auro mint riva nu gen dom sdz mar ran taro sivem accord aurobindo zydus
lupin amneal camber actavis generic
""".split())
"""Maker prefixes of generic brands (pms-Baclofen, Apo-Gabapentin): the name after them is what counts."""

_NUMBER_WORDS = frozenset("one two three four five six half quarter 1/2 ½ ¼".split())

_INDICATIONS = frozenset("""
pain pains ache aches aching headache headaches migraine migraines sleep sleeping insomnia anxiety anxious
panic agitation nausea vomiting emesis n/v spasm spasms spasticity cramps cramping cramp muscle muscles
back neck knee joint joints nerve neuropathic neuropathy arthritis fever cold colds flu cough coughing
congestion allergy allergies allergic itch itching itchy hives rash constipation diarrhea diarrhoea
heartburn indigestion acid stomach bp blood pressure sugar sugars glucose cholesterol lipids mood
depression depressive restless legs rls tremor bladder urgency incontinence overactive breathing
breath shortness sob wheeze wheezing asthma copd infection infections uti sinus sinusitis throat sore
dental tooth toothache moderate severe mild breakthrough acute chronic flare flares attack attacks
prevention prophylaxis protection supplement supplementation deficiency bone bones vitamin thyroid heart
rate rhythm afib palpitations swelling edema oedema fluid inflammation eyes dry skin acne weight loss
appetite focus attention adhd smoking cessation quit alcohol withdrawal opioid dependence craving cravings
osteoporosis gout psoriasis eczema seizure seizures epilepsy psychosis schizophrenia bipolar hallucinations
dizziness vertigo motion sickness travel hot flashes flushes menopause contraception birth control period
periods menstrual sleepiness fatigue energy stiffness tightness tension tone clonus disorder disorders disease
syndrome use
""".split())

_NEGATIONS = ("no", "not", "none", "denies", "denied", "never", "without", "nil", "stopped", "discontinued",
              "off", "quit", "ceased", "held", "hold", "avoid", "avoids", "refuses", "declined")
_ON_TREATMENT = frozenset("hd pd capd apd cpap bipap nippv apap o2 oxygen insulin".split())
"""After "on" in a condition these are the treatment, not a condition (PD: peritoneal dialysis)."""
_PRODUCT_SUFFIXES = frozenset("pm night nighttime nite sleep max maximum extra plus forte ultra".split())
"""Right after a name these make another product (Mapap PM adds diphenhydramine): never read as vocabulary."""
_NOT_NEGATIONS = re.compile(r"\b(?:do\s+)?not\s+(?:to\s+)?exceed\b|\bno\s+more\s+than\b|\bnot\s+more\s+than\b|"
                            r"\bdo\s+not\s+(?:crush|chew|cut|split|break|drive)\b", re.IGNORECASE)
_STOPPED = frozenset("discontinued stopped ceased held quit dcd discontinue".split())
"""Anywhere in a line, these say it is not being taken: never clear."""
_NEGATION_PHRASES = ("d c", "dc d", "not taking", "no longer", "no more", "negative for", "ruled out",
                     "rule out", "r o", "family history", "fh of", "fhx", "fh", "no history",
                     "no hx", "no h o", "free of")

_CONDITION_QUALIFIERS = frozenset("""
h o hx history of pmh phx pmhx past medical known chronic acute severe mild moderate moderately stable
controlled uncontrolled poorly well recurrent intractable unspecified uncomplicated complicated without with
w wo complication complications stage type i ii iii iv v g1 g2 g3 g3a g3b g4 g5 a1 a2 a3 hcc cms on cpap
bipap nippv apap hd pd capd apd home nocturnal oxygen o2 primary secondary essential benign active current
longstanding long standing diagnosed dx remission in partial early late advanced s p status post suspected
possible probable presumed likely query 1 2 3 4 5 3a 3b 3 a 3 b exacerbation flare disease the and
a an insulin requiring dependent non resistant treated diet lifestyle managed persistent persistant
episodic relapsing remitting rrms spms ppms progressive secondary-progressive primary-progressive syndrome
disorder disorders condition hyperglycemia hyperglycaemia epilepticus status intermittent trimester first second
third residual deficit deficits adult pediatric paediatric ascites esophagitis oesophagitis hypoxia hypercapnia
hepatic through iiia iiib mwf tts tths tth sequela sequelae cervical thoracic lumbar complete incomplete weeks
gestation wks dependent renal kidney level or
""".split())

# a product number ("Tylenol #3", "Tylenol No. 3") is data, written as the bare number a name can include
_NAME_NUMBER = re.compile(r"(?:#|\bno\.?\s*)\s*(\d{1,2})\b(?!\s*(?:mg|mcg|ml|%|units?|g)\b)", re.IGNORECASE)

_RX: Dict[str, "re.Pattern[str]"] = {}
_NUM = r"(?:\d+(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
_UNIT = (r"(?:mg|mgs|milligrams?|mcg|mcgs|micrograms?|ug|µg|μg|g|gm|gms|grams?|ml|mls|millilit(?:er|re)s?|l|"
         r"units?|iu|u|meq|mmol|%|percent|mg/ml|mcg/ml|mg/5ml)"
         r"(?:\s*/\s*(?:\d+(?:\.\d+)?\s*)?(?:ml|l|hr|h|hour|24\s*h(?:rs?|ours?)?|hrs|actuation|act|dose|spray|"
         r"puff|inh|tab|g|kg|day|d|vial|patch))?")
_QTY_UNIT = (r"(?:tabs?|tablets?|tbls?|caps?|capsules?|pills?|caplets?|puffs?|sprays?|drops?|gtts?|patch(?:es)?|"
             r"sachets?|packets?|suppositor(?:y|ies)|lozenges?|applications?|applicatorfuls?|inhalations?|"
             r"ampoules?|vials?|pens?|doses?|injections?|units?|teaspoons?|tsp|tablespoons?|tbsp|scoops?|"
             r"capfuls?|nebs?|lozenges?|strips?|films?|glass(?:es)?|drinks?|cups?|pints?|cans?|bottles?|shots?)")
_SPAN_SOURCES = {
    "strength": rf"(?<![\w#.]){_NUM}(?:\s*(?:-|/|to)\s*{_NUM})*\s*{_UNIT}(?![a-z0-9])",
    "ratio": rf"(?<![\w#.]){_NUM}(?:\s*[-/]\s*{_NUM})+(?![\w.%])",
    "quantity": rf"(?<![\w#.])(?:{_NUM}|one|two|three|four|half|½)(?:\s*(?:-|to|or)\s*(?:{_NUM}|two|three|four))?"
                rf"\s*{_QTY_UNIT}(?:\s*\(s\))?(?![a-z])",
    "every": rf"\bq\.?\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*(?:h|hr|hrs|hours?|d|days?|wk|weeks?|min|mins)\b\.?"
             rf"|\bq\.?\s*(?:am|pm|hs|d|day|od|wk|week|am\s*&\s*pm)\b\.?"
             rf"|\b(?:every|each|per|x|for|over|in)\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*"
             rf"(?:h|hr|hrs|hours?|d|days?|wk|wks|weeks?|months?|mins?|minutes?)\b"
             rf"|\b{_NUM}\s*(?:-|to)?\s*{_NUM}?\s*(?:h|hr|hrs|hours?)\b"
             rf"|\b(?:{_NUM}|one|two|three|four)\s*(?:x|times?)\s*(?:a|per|each|/)?\s*(?:day|daily|d|week|weekly|wk)\b"
             rf"|\b{_NUM}\s*x\b"
             rf"|\b{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*(?:hourly|hrly|hly)\b",
    "take": rf"\b(?:take|takes|give|use|inhale|apply|instill|insert|chew|dissolve|inject|sig|disp|dispense|qty|"
            rf"quantity|refills?|rf|#)\s*:?\s*{_NUM}(?:\s*(?:-|to|or)\s*{_NUM})?\b(?!\s*[^\W\d_%])",
    "year": r"\b(?:since|in|dx|diagnosed|from)\s+(?:19|20)\d\d\b",
}

_FREQ_PER_DAY = {
    "daily": 1, "od": 1, "qd": 1, "qday": 1, "qdaily": 1, "once daily": 1, "once a day": 1, "every day": 1,
    "bid": 2, "bd": 2, "twice daily": 2, "twice a day": 2, "two times daily": 2, "two times a day": 2,
    "2 times daily": 2, "2 times a day": 2, "every 12 hours": 2, "q12h": 2,
    "tid": 3, "tds": 3, "three times daily": 3, "three times a day": 3, "3 times daily": 3, "3 times a day": 3,
    "every 8 hours": 3, "q8h": 3,
    "qid": 4, "qds": 4, "four times daily": 4, "four times a day": 4, "4 times daily": 4, "4 times a day": 4,
    "every 6 hours": 4, "q6h": 4,
    "qhs": 1, "hs": 1, "nightly": 1, "at bedtime": 1, "at night": 1, "nocte": 1, "mane": 1, "every night": 1,
    "every morning": 1, "qam": 1, "qpm": 1, "once": 1,
}


def _rx(name: str) -> "re.Pattern[str]":
    pattern = _RX.get(name)
    if pattern is None:
        if name == "spans":
            source = "|".join(f"(?P<{k}>{v})" for k, v in _SPAN_SOURCES.items())
        elif name == "freq":
            source = r"\b(?:" + "|".join(re.escape(k) for k in sorted(_FREQ_PER_DAY, key=len, reverse=True)) + r")\b"
        else:
            source = {
                "dashes": "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]",
                "words": r"[^\W_]+(?:['\u2019][^\W_]+)*",
                "hcc": r"\((?:cms\s*[-/]?\s*)?hcc\)|\bcms[-/]hcc\b|\(cms code\)",
                "stage": r"\b(?:stage|g|grade|ckd)\s*-?\s*(1|2|3a|3b|3|4|5|iiia|iiib|i{1,3}|iv|v)\b",
                "gfr": r"\b(e?gfr|crcl|creatinine clearance)\s*(?:of|is|=|:|<|>|~|approx\.?)?\s*(\d+(?:\.\d+)?)"
                       r"(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?",
                "mg": rf"(?<![\w#.])({_NUM})\s*(?:mg|milligrams?)(?![\w/])",
                "qty": rf"(?<![\w#.])(\d+(?:\.\d+)?|one|two|three|four|half|½|1/2)\s*{_QTY_UNIT}",
                "repeat": r"\((?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                          r"twenty-four|twenty four|forty-eight|seventy-two)\)|\(\s*\d+(?:\.\d+)?\s*base\s*\)",
            }[name]
        pattern = _RX[name] = re.compile(source, re.IGNORECASE)
    return pattern


class Reading(NamedTuple):
    """What a line says: the names it contains and the words nobody accounted for."""

    names: Tuple[Tuple[str, str, str], ...]
    """Each known name found, as ``Target`` fields, in order, without repeats."""
    unaccounted: Tuple[str, ...]
    negated: bool = False
    """The line denies or stops something ("no opioids", "h/o seizures: denies"): never clear."""
    daily_mg: Optional[float] = None


def clean(text: str) -> str:
    """Dashes of every kind to ``-``, product numbers (``#3``, ``No. 3``) to bare numbers; the
    spelled-out copy of a number (``every 6 (six) hours``) and a base equivalent (``108 (90 Base)
    MCG/ACT``) are dropped, as they repeat what the line already says."""
    text = _rx("dashes").sub("-", text)
    if "(" in text:
        text = _rx("repeat").sub(" ", text)
    return _NAME_NUMBER.sub(r" \1", text)


def non_latin_words(text: str) -> Tuple[str, ...]:
    """Words with letters that do not fold to Latin: they are never deleted, and never matched."""
    if text.isascii():
        return ()
    return tuple(w for w in _rx("words").findall(normalize(text)) if not w.isascii())


def read_medication(text: str, lookup: Lookup, conditions: Optional[Lookup] = None) -> Reading:
    return _read(text, lookup, conditions, medication=True)


def read_condition(text: str, lookup: Lookup) -> Reading:
    return _read(text, lookup, None, medication=False)


def _read(text: str, lookup: Lookup, conditions: Optional[Lookup], medication: bool) -> Reading:
    product_numbers = {m.group(1) for m in _NAME_NUMBER.finditer(_rx("dashes").sub("-", text))}
    cleaned = clean(text)
    lowered = cleaned.lower()
    if not medication:
        lowered = _rx("hcc").sub(" ", lowered)
    negated = _negated(lowered, medication)
    # spans of the dose and instruction vocabulary with numbers in them
    rest = _rx("spans").sub(" ", lowered) if medication else _rx("spans").sub(
        lambda m: " " if m.lastgroup in ("year", "every") else m.group(0), lowered)
    words = normalize(rest).split()
    names: List[Tuple[str, str, str]] = []
    unaccounted: List[str] = []
    kinds: List[str] = []  # per word: name, vocab, salt, unknown
    i = 0
    indication = False
    while i < len(words):
        if not medication and i and words[i - 1] == "on" and words[i] in _ON_TREATMENT:
            kinds.append("vocab")  # "ESKD on PD" is peritoneal dialysis, not Parkinson's disease
            i += 1
            continue
        found = _longest(words, i, lookup)
        if found is not None:
            end, target = found
            word = words[i]
            if (end == i + 1 and word in _SALTS and kinds and kinds[-1] in ("name", "salt")):
                kinds.append("salt")  # "atorvastatin calcium": the salt, not a second medicine
                i = end
                continue
            if target not in names:
                names.append(target)
            kinds.extend(["name"] * (end - i))
            i = end
            continue
        word = words[i]
        if medication and word in _PRODUCT_SUFFIXES and kinds and kinds[-1] in ("name", "salt"):
            kinds.append("unknown")  # "Mapap PM": a different product than Mapap
            unaccounted.append(word)
            i += 1
            continue
        if medication and indication:
            cond = _longest(words, i, conditions) if conditions is not None else None
            if cond is not None:
                kinds.extend(["vocab"] * (cond[0] - i))
                i = cond[0]
                continue
            if word in _INDICATIONS or word in _FREQUENCY or word in _ROUTES:
                kinds.append("vocab")
                i += 1
                continue
        if medication and word in ("for", "prn", "needed", "required", "sos", "necessary", "onset"):
            indication = True
            kinds.append("vocab")
        elif medication and _is_vocab(word):
            kinds.append("salt" if word in _SALTS else "vocab")
        elif not medication and (word in _CONDITION_QUALIFIERS or word in _NEGATIONS):
            kinds.append("vocab")
        elif medication and word.isdigit() and kinds and kinds[-1] in ("name", "salt"):
            # a bare number after a name: a strength ("aspirin 81"), unless it could be a product number
            if int(word) > 4 and word not in product_numbers:
                kinds.append("vocab")
            else:
                kinds.append("unknown")
                unaccounted.append(word)
        elif medication and (word.isdigit() or word in _NUMBER_WORDS) and i + 1 < len(words) and \
                _is_vocab(words[i + 1]):
            kinds.append("vocab")  # "1 po daily"
        elif medication and word in _NEGATIONS:
            kinds.append("vocab")
        else:
            kinds.append("unknown")
            unaccounted.append(word)
        i += 1
    for word in non_latin_words(text):
        if word not in unaccounted:
            unaccounted.append(word)
    return Reading(tuple(names), tuple(dict.fromkeys(unaccounted)), negated)


def _is_vocab(word: str) -> bool:
    return (word in _FORMS or word in _RELEASE or word in _SALTS or word in _ROUTES or word in _FREQUENCY
            or word in _NUMBER_WORDS or word in _MAKERS)


def _longest(words: Sequence[str], start: int, lookup: Optional[Lookup]) -> Optional[Tuple[int, Tuple[str, str, str]]]:
    if lookup is None:
        return None
    for end in range(min(len(words), start + MAX_NAME_WORDS), start, -1):
        found = lookup(" ".join(words[start:end]))
        if found is not None:
            return end, found
    return None


def _negated(lowered: str, medication: bool = True) -> bool:
    key = normalize(_NOT_NEGATIONS.sub(" ", lowered))
    first = key.split(" ", 1)[0] if key else ""
    if first in _NEGATIONS:
        return True
    padded = f" {key} "
    if any(f" {p} " in padded for p in _NEGATION_PHRASES) or " denies " in padded:
        return True
    if not medication:  # "not intractable", "not in remission" are ICD-10-CM wording, not denials
        return False
    return bool(_STOPPED.intersection(key.split())) or " not " in padded


def daily_mg(text: str) -> Optional[float]:
    """The daily dose a line states, from one mg strength, a quantity and a frequency; else None.

    ``baclofen 10 mg TID`` -> 30; ``Baclofen 10 MG Oral Tablet, 1 tab three times daily`` -> 30;
    ``baclofen 5 mg, 2 tabs BID`` -> 20. PRN lines, ranges and several strengths give None.
    """
    lowered = clean(text).lower().replace("1/2", "half").replace("\u00bd", "half")
    strengths = _rx("mg").findall(lowered)
    if len(strengths) != 1 or re.search(r"\d\s*(?:-|to|/)\s*\d", lowered):
        return None
    if re.search(r"\b(?:prn|as needed|if needed|when required|as required|sos|ml)\b", lowered):
        return None
    strength = float(strengths[0].replace(",", ""))
    freqs = {_FREQ_PER_DAY[m.group(0).lower()] for m in _rx("freq").finditer(lowered)}
    if len(freqs) != 1:
        return None
    quantity = 1.0
    qty = _rx("qty").findall(lowered)
    if len(qty) > 1:
        return None
    if qty:
        q = qty[0].lower()
        quantity = {"one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "half": 0.5, "½": 0.5, "1/2": 0.5}.get(q) \
            or float(q)
    return strength * quantity * freqs.pop()


# -- conditions: severity -----------------------------------------------------------------------

_STAGE_EGFR: Dict[str, Optional[float]] = {
    "1": None, "i": None, "2": 89.0, "ii": 89.0, "3": 59.0, "iii": 59.0, "3a": 59.0, "3b": 44.0,
               "4": 29.0, "iv": 29.0, "5": 14.0, "v": 14.0, "iiia": 59.0, "iiib": 44.0}
_ICD_EGFR: Dict[str, Optional[float]] = {"n181": None, "n182": 89.0, "n183": 59.0, "n1830": 59.0, "n1831": 59.0, "n1832": 44.0,
             "n184": 29.0, "n185": 14.0, "n186": 14.0, "z992": 14.0, "z49": 14.0}
_FAILURE_WORDS = ("esrd", "eskd", "end stage", "dialysis", "haemodialysis", "hemodialysis", "on hd", "on pd",
                  "capd", "kidney failure", "renal failure")


def renal_from_condition(text: str) -> Optional[RenalFunction]:
    """A kidney function a condition line states: ``eGFR 25`` -> egfr 25; ``CKD stage 4`` -> egfr 29
    (the upper bound of the stage's band); ``ESRD on HD`` -> egfr 14. None when it states none."""
    lowered = clean(text).lower()
    if _negated(lowered, medication=False):
        return None
    m = _rx("gfr").search(lowered)
    if m is not None:
        measure = "crcl" if m.group(1).startswith("cr") else "egfr"
        value = float(m.group(3) or m.group(2))  # a range: its upper bound
        return RenalFunction(measure, value, text) if 0 < value < 200 else None
    key = normalize(lowered)
    code = re.search(r"\b([nz])\s?(\d{2})\.?(\d{0,2})\b", lowered)
    if code is not None:
        full = (code.group(1) + code.group(2) + code.group(3)).lower()
        for end in range(len(full), 2, -1):
            if full[:end] in _ICD_EGFR:
                coded = _ICD_EGFR[full[:end]]
                return RenalFunction("egfr", coded, text) if coded is not None else None
    kidney = any(w in f" {key} " for w in (" ckd ", " kidney ", " renal ", " nephropathy ", " eskd ", " esrd ",
                                           " dialysis ", " haemodialysis ", " hemodialysis ", " hd ", " pd "))
    if not kidney:
        return None
    if any(w in f" {key} " for w in (f" {f} " for f in _FAILURE_WORDS)):
        return RenalFunction("egfr", 14.0, text)
    stage = _rx("stage").search(lowered)
    if stage is not None:
        staged = _STAGE_EGFR.get(stage.group(1).lower())
        return RenalFunction("egfr", staged, text) if staged is not None else None
    return None


# -- splitting a value into items ---------------------------------------------------------------

_CONTINUATION = ("stage ", "with ", "without ", "unspecified", "uncomplicated", "in remission", "in ", "or ",
                 "and ", "not ", "due to ", "secondary to ", "w/", "w/o", "g1", "g2", "g3", "g4", "g5", "(",
                 "initial encounter", "subsequent", "sequela", "gfr", "egfr", "relapsing", "remitting",
                 "progressive", "primary progressive", "secondary progressive", "cervical", "thoracic", "lumbar",
                 "complete", "incomplete")
"""Pieces starting so continue an ICD-10-CM style description (``Chronic kidney disease, stage 4``)."""
_WEAK_CONTINUATION = ("type ", "on ", "severe", "mild", "moderate", "end stage", "end-stage", "chronic", "acute",
                      "intractable", "controlled", "uncontrolled")
"""These continue a description unless the piece names a condition itself (``..., chronic kidney disease``)."""


def split_value(value: str, kind: Optional[str] = None, known: Optional[Callable[[str], bool]] = None) -> List[str]:
    """One value into items: commas and newlines separate items, except a thousands separator
    (``1,000 units``); a piece that is only dose and instruction words (``..., 1 tab three times
    daily``) or, for conditions, an ICD-10-CM style continuation (``..., stage 4 (severe)``)
    belongs to the item before it, unless ``known`` says the piece names something itself
    (``One A Day``, ``chronic kidney disease``)."""
    pieces = re.split(r"(?<!\d),|,(?!\d{3}(?!\d))|\r\n|[\n\r]", value) if ("," in value or "\n" in value
                                                                            or "\r" in value) else [value]
    items: List[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if items and (_continues(piece, kind, strong=True)
                      or (_continues(piece, kind) and not (known is not None and known(piece)))):
            items[-1] = f"{items[-1]}, {piece}"
        else:
            items.append(piece)
    return items


def _continues(piece: str, kind: Optional[str], strong: bool = False) -> bool:
    lowered = clean(piece).lower().strip()
    if kind == "history":
        return lowered.startswith(_CONTINUATION if strong else _CONTINUATION + _WEAK_CONTINUATION)
    if strong:
        return False
    if kind == "with" or kind is None:
        rest = _rx("spans").sub(" ", lowered)
        words = normalize(rest).split()
        if not words and lowered:
            return bool(re.search(r"\d", lowered))
        if not words:
            return False
        indication = False
        for word in words:
            if word in ("for", "prn"):
                indication = True
                continue
            if indication and word in _INDICATIONS:
                continue
            if not (_is_vocab(word) or word.isdigit()):
                return False
        return True
    return False
