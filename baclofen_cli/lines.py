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

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from baclofen_cli._records import NamedTuple
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
bottle bottles shot shots nebulization nebulisation nebulizations nebulisations
oil oils gummy gummies tincture tinctures edible edibles
""".split())

_FORM_FAMILY_WORDS = {
    "inhaled": ("inhaler inhalers inhalation inhalations aerosol nebulizer nebuliser neb nebs nebules respules puff puffs "
                "hfa mdi dpi diskus ellipta respimat handihaler turbuhaler accuhaler evohaler easyhaler clickhaler "
                "autohaler turbohaler novolizer genuair breezhaler spiromax nebulization nebulisation nebulizations "
                "nebulisations", "inhale inhaled inh act actuation actuations"),
    "patch": ("patch patches transdermal", "transdermally system"),
    "drops": ("drops drop gtt gtts ophthalmic otic", "instill eye eyes ear ears"),
    "injection": ("injection injections inj injectable vial vials ampoule ampoules amp pen pens cartridge prefilled "
                  "syringe syringes kwikpen flexpen flextouch solostar autoinjector depot implant infusion infusions "
                  "bolus", "inject injected iv im sc sq subq subcut subcutaneous subcutaneously intramuscular "
                  "intramuscularly intravenous intravenously intrathecal intrathecally pump"),
    "spray": ("spray sprays nasal", "intranasal intranasally nostril nostrils"),
    "film": ("film films strip strips wafer wafers buccal sublingual oromucosal mucoadhesive", ""),
    "topical": ("cream ointment oint gel jelly lotion foam shampoo topical", ""),
    "rectal": ("suppository suppositories supp enema rectal", "rectally"),
    "vaginal": ("vaginal pessary pessaries ring", "pv vaginally"),
    "lozenge": ("lozenge lozenges troche troches lollipop", ""),
    "edible": ("oil oils gummy gummies tincture tinctures edible edibles", ""),
    "oral": ("", "tab tabs tablet tablets tbl cap caps capsule capsules pill pills caplet caplets gelcap gelcaps "
                 "softgel softgels chewable odt po oral orally"),
}
_FORM_NOUNS = {w: family for family, (nouns, _) in _FORM_FAMILY_WORDS.items() for w in nouns.split()}
"""Form words that say what a product is (``patch``, ``inhaler``, ``eye drops``, ``gummies``), by family. After a
clause separator with no medicine named after it, such a word is a medicine of its own unless a word of its family
came before ("fentanyl patch; 1 patch every 72 hours"): "amoxicillin; Eye drops" is not fully checked (hostile 8
NEW-1). Tablet and liquid words are not among them: they only count a dose."""
_FORM_HINTS = {w: family for family, (_, hints) in _FORM_FAMILY_WORDS.items() for w in hints.split()}
"""Words that imply a form (``inject``, ``inhale``, ``nostril``, ``tablet``): after a separator they, and a counted
form word ("1 patch", "2 puffs"), are unaccounted only when the line before them gives another form ("amoxicillin
500 mg capsule, inject 10 units")."""


_OTHER_FORMS = frozenset(w for w, family in {**_FORM_NOUNS, **_FORM_HINTS}.items() if family != "oral")
"""The form words that can make a clause another product's (not the tablet words, which never do)."""


def _form_family(word: str) -> Optional[str]:
    return _FORM_NOUNS.get(word) or _FORM_HINTS.get(word)


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
transdermally affected area areas each both left right under tongue
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
prescriber provider wc pc ac om inr contents content medication medications
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
syndrome use pruritus respiratory sedation suspected known emergency treatment
""".split())

_NEGATIONS = ("no", "not", "none", "denies", "denied", "never", "without", "nil", "stopped", "discontinued",
              "off", "quit", "ceased", "held", "hold", "avoid", "avoids", "refuses", "declined")
_TREATMENTS = {
    "hd": "dialysis", "pd": "dialysis", "capd": "dialysis", "apd": "dialysis", "ccpd": "dialysis",
    "cpap": "sleep apnea", "bipap": "sleep apnea", "apap": "sleep apnea",
    "nippv": "respiratory failure", "niv": "respiratory failure", "o2": "respiratory failure",
    "oxygen": "respiratory failure", "hypoxia": "respiratory failure", "hypoxemia": "respiratory failure",
    "hypoxaemia": "respiratory failure", "hypercapnia": "respiratory failure", "hypercarbia": "respiratory failure",
    "insulin": "diabetes", "epilepticus": "seizures", "ascites": "liver disease",
    "gestational": "pregnancy",
}
"""A treatment or finding in a condition line names a condition of its own: "Gout on HD" is also kidney
failure, "on home O2" a respiratory disease, "on insulin" diabetes, "gestational diabetes" a pregnancy (gestational
means during pregnancy; ICD-10-CM O24.4 is listed under pregnancy). After "on" the treatment reading wins
("ESKD on PD" is peritoneal dialysis, not Parkinson's disease)."""
_PRODUCT_SUFFIXES = frozenset("pm night nighttime nite sleep max maximum extra plus forte ultra".split())
_NIGHT_SUFFIXES = frozenset("pm night nighttime nite".split())
_TIMING_BEFORE = frozenset("at every each the in until by before after per nightly qhs am qam and or x "
                           "1 2 3 4 5 6 7 8 9 10 11 12".split())
"""Before pm/night these make it a time (at night, 8 pm, am and pm), not a product (Tylenol PM)."""
_INJECTION = frozenset("inj injection injections injectable intrathecal intrathecally it pump".split())
"""Route words that make baclofen intrathecal baclofen (another product, other cautions)."""
_PARENTERAL = frozenset("iv intravenous intravenously infusion infusions drip im intramuscular intramuscularly inj "
                        "injection injections injectable parenteral".split())
"""Route words that make a medicine taken by mouth its injected product, when one is listed
("magnesium sulfate IV" is the injection, not the supplement); baclofen is left to ``_INJECTION``."""
_VAGINAL = frozenset("vaginal vaginally pv pessary pessaries".split())
"""Route words that make a medicine its vaginal product, when one is listed ("progesterone 200 mg PV")."""
"""Right after a name these make another product (Mapap PM adds diphenhydramine): never read as vocabulary."""
class _Lazy:
    """A regular expression compiled the first time it is used: importing this module stays cheap, and most
    runs need only a few of its patterns."""

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._pattern: Optional[re.Pattern[str]] = None

    def __getattr__(self, name: str) -> Any:
        if self._pattern is None:
            self._pattern = re.compile(*self._args)
        found = getattr(self._pattern, name)
        self.__dict__[name] = found  # the pattern's method, found directly from now on
        return found


_NOT_NEGATIONS = _Lazy(r"\b(?:do\s+)?not\s+(?:to\s+)?exceed\b|\bno\s+more\s+than\b|\bnot\s+more\s+than\b|"
                            r"\bdo\s+not\s+(?:crush|chew|cut|split|break|drive)\b", re.IGNORECASE)
_CONDITION_NEGATORS = frozenset("no not without wo nor".split())
_NEGATED_FILLERS = frozenset("on any yet currently requiring known evidence of signs history hx a an".split())
"""Between a negation and the condition it denies: "not yet on dialysis", "without any evidence of"."""
_STOPPED = frozenset("discontinued stopped ceased held quit dcd discontinue".split())
"""Anywhere in a line, these say it is not being taken: never clear."""
_NEGATION_PHRASES = ("d c", "dc d", "not taking", "no longer", "no more", "negative for", "ruled out",
                     "rule out", "r o", "family history", "fh of", "fhx", "fh", "no history",
                     "no hx", "no h o", "free of")
_NEGATION_PHRASES_IN = _Lazy("|".join(re.escape(f" {p} ") for p in _NEGATION_PHRASES))
"""Any of them, as a word sequence, in a padded key: one search instead of one per phrase."""

_CONDITION_QUALIFIERS = frozenset("""
h o hx history of pmh phx pmhx past medical known remote chronic acute severe mild moderate moderately stable
controlled uncontrolled poorly well recurrent intractable unspecified uncomplicated complicated without with
w wo complication complications stage type i ii iii iv v g1 g2 g3 g3a g3b g4 g5 a1 a2 a3 hcc cms on
home nocturnal primary secondary essential benign active current
longstanding long standing diagnosed dx remission in partial early late advanced s p status post suspected
possible probable presumed likely query 1 2 3 4 5 3a 3b 3 a 3 b exacerbation flare disease the and
a an requiring dependent non resistant treated diet lifestyle managed persistent persistant
episodic relapsing remitting rrms spms ppms progressive secondary-progressive primary-progressive syndrome
disorder disorders condition hyperglycemia hyperglycaemia status intermittent trimester first second
third residual deficit deficits adult pediatric paediatric esophagitis oesophagitis
hepatic through iiia iiib mwf tts tths tth sequela sequelae cervical thoracic lumbar complete incomplete weeks
gestation wks dependent renal kidney level or previous previously prev prior
""".split())

# a product number ("Tylenol #3", "Tylenol No. 3") is data, written as the bare number a name can include
_NAME_NUMBER = _Lazy(r"(?:#|\bno\.?\s*)\s*(\d{1,2})\b(?!\s*(?:mg|mcg|ml|%|units?|g)\b)", re.IGNORECASE)

_RX: Dict[str, re.Pattern[str]] = {}
_NUM = r"(?:\d+(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
_COMPARATOR = (r"<=|=<|>=|=>|\u2264|\u2265|<|>|(?:less|greater|more)\s+than(?:\s+or\s+equal\s+to)?\b"
               r"|(?:under|below|over|above)\b")
"""A kidney value given as a limit (``eGFR <30``, ``CrCl less than 30``): see ``_COMPARATORS``."""
_UNIT = (r"(?:mg|mgs|milligrams?|mcg|mcgs|micrograms?|ug|µg|μg|g|gm|gms|grams?|ml|mls|millilit(?:er|re)s?|l|"
         r"units?|iu|u|meq|mmol|%|percent|mg/ml|mcg/ml|mg/5ml)"
         r"(?:\s*/\s*(?:\d+(?:\.\d+)?\s*)?(?:ml|l|hr|h|hour|24\s*h(?:rs?|ours?)?|hrs|actuation|act|dose|spray|"
         r"puff|inh|tab|g|kg|day|d|vial|patch))?")
_QTY_UNIT = (r"(?:tabs?|tablets?|tbls?|caps?|capsules?|pills?|caplets?|puffs?|sprays?|drops?|gtts?|patch(?:es)?|"
             r"sachets?|packets?|suppositor(?:y|ies)|lozenges?|applications?|applicatorfuls?|inhalations?|"
             r"ampoules?|vials?|pens?|doses?|injections?|units?|teaspoons?|tsp|tablespoons?|tbsp|scoops?|"
             r"capfuls?|nebs?|lozenges?|strips?|films?|glass(?:es)?|drinks?|cups?|pints?|cans?|bottles?|shots?)")
_MONTH_NAMES = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
                r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
"""Month names as dates are written in a start date ("Nov 1, 2026", "1 November 2026")."""
_SPAN_SOURCES = {
    "strength": rf"(?<![\w#.]){_NUM}(?:\s*(?:-|/|to)\s*{_NUM})*\s*{_UNIT}(?![a-z0-9])",
    "ratio": rf"(?<![\w#.]){_NUM}(?:\s*[-/]\s*{_NUM})+(?![\w.%])",
    "quantity": rf"(?<![\w#.])(?:{_NUM}|one|two|three|four|half|½)(?:\s*(?:-|to|or)\s*(?:{_NUM}|two|three|four))?"
                rf"\s*{_QTY_UNIT}(?:\s*\(s\))?(?![a-z])",
    "every": rf"\bq\.?\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*(?:h|hr|hrs|hours?|d|days?|wk|weeks?|min|mins)\b\.?"
             rf"|\bq\.?\s*(?:am|pm|hs|d|day|od|wk|week|am\s*&\s*pm)\b\.?"
             rf"|\b(?:every|each|per|x|for|over|in)\s*{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*"
             rf"(?:h|hr|hrs|hours?|d|days?|wk|wks|weeks?|months?|mins?|minutes?)\b"
             rf"|\b{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*(?:h|hr|hrs|hours?)\b"
             rf"|\b(?:{_NUM}|one|two|three|four)\s*(?:x|times?)\s*(?:a|per|each|/)?\s*(?:day|daily|d|week|weekly|wk)\b"
             rf"|\b{_NUM}\s*x\b"
             rf"|\b{_NUM}(?:\s*(?:-|to)\s*{_NUM})?\s*-?\s*(?:hourly|hrly|hly)\b",
    # a most-per-day limit ("max 8 in 24h", "maximum 4 tablets per day"): an instruction, read as one span
    "limit": rf"\bmax(?:imum)?\.?\s*:?\s*(?:of\s+)?{_NUM}\s*(?:{_QTY_UNIT}|{_UNIT})?(?:\s*\(s\))?\s*"
             rf"(?:in|per|a|/|every|each)\s*(?:24\s*(?:h|hrs?|hours?)|day|d)\b"
             # Epic's "Max Daily Amount: 6 tablets", "Max Daily Amount: 4,000 mg": the most allowed, never the dose
             rf"|\bmax(?:imum)?\.?\s*daily\s+(?:amount|dose)\s*:?\s*{_NUM}\s*(?:{_QTY_UNIT}|{_UNIT})?(?:\s*\(s\))?"
             rf"(?![a-z0-9])",
    # when it was started ("Start date: 2026-01-01", "started 01/02/2026"): a date, not a dose
    # in any usual form: ISO, US 11/01/2026, UK 01.11.2026, "Nov 1, 2026", "1 November 2026", "Nov 2026"
    "started": r"\bstart(?:ed|s)?(?:\s+date)?\s*:?\s*(?:on\s+)?(?:(?:19|20)\d\d-\d{1,2}-\d{1,2}"
               r"|\d{1,2}/\d{1,2}/(?:19|20)?\d\d|\d{1,2}\.\d{1,2}\.(?:19|20)?\d\d|\d{1,2}-\d{1,2}-(?:19|20)\d\d"
               rf"|(?:{_MONTH_NAMES})\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d"
               rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_NAMES})\.?,?\s+(?:19|20)\d\d)\b",
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
    "qhs": 1, "hs": 1, "om": 1, "nightly": 1, "at bedtime": 1, "at night": 1, "nocte": 1, "mane": 1, "every night": 1,
    "every morning": 1, "qam": 1, "qpm": 1, "once": 1,
}


_ASCII_DIGIT = _Lazy(r"[0-9]")


def _spans(lowered: str) -> re.Pattern[str]:
    """The spans pattern for a lowercased line: without IGNORECASE (faster) when the line is ASCII, as its
    source has no capital letter and such a line none to fold (outside ASCII, folding also pairs letters
    such as the long s with s: the pattern with IGNORECASE is kept)."""
    if not (lowered.isascii() and lowered == lowered.lower()):
        return _rx("spans")
    pattern = _RX.get("spans_lower")
    if pattern is None:
        pattern = _RX["spans_lower"] = re.compile(_rx("spans").pattern)
    return pattern


def _rx(name: str) -> re.Pattern[str]:
    pattern = _RX.get(name)
    if pattern is None:
        if name == "spans":
            source = "|".join(f"(?P<{k}>{v})" for k, v in _SPAN_SOURCES.items())
        elif name == "freq":
            source = r"\b(?:" + "|".join(re.escape(k) for k in sorted(_FREQ_PER_DAY, key=len, reverse=True)) + r")\b"
        else:
            source = {
                "dotted": r"(?<![\w.])(?:[a-z]\.){1,3}[a-z]\.?(?![\w.])",
                "dashes": "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]",
                "words": r"[^\W_]+(?:['\u2019][^\W_]+)*",
                # also a spaced dash, a double dash, a colon or full stop before a word, "with", and an opening bracket:
                # "fentanyl (DURAGESIC) 25 mcg/hr patch" names its brand in the bracket's clause (hostile round 9 A)
                "clauses": r"[;|+&]|,|\s/|/\s|(?<=[a-z])/(?=[a-z])|\b(?:and|plus|then|also|with)\b"
                           r"|\s-+\s|-{2,}|:\s|\.\s(?=[a-z])|\(",
                "hcc": r"\((?:cms\s*[-/]?\s*)?hcc\)|\bcms[-/]hcc\b|\(cms code\)",
                "roman_qty": rf"\b({_ROMAN_FORMS})\s+(i{{1,3}}|iv)\b|\b(i{{1,3}}|iv)\s+({_ROMAN_FORMS})\b",
                "stage": r"\b(?:stage|g|grade|ckd)\s*-?\s*(1|2|3a|3b|3|4|5|iiia|iiib|i{1,3}|iv|v)\b",
                "gfr": rf"\b(e?gfr|crcl|creatinine clearance)\s*(?:of|is|=|:|~|approx\.?)?\s*(?:of\s*)?({_COMPARATOR})?\s*"
                       r"(\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?",
                "mg": rf"(?<![\w#.])({_NUM})\s*(?:mg|milligrams?)(?![\w/])",
                "qty": rf"(?<![\w#.])(\d+(?:\.\d+)?|one|two|three|four|half|½|1/2)\s*{_QTY_UNIT}",
                "ago": r"\b(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|many|several|few|some)\s*"
                       r"(?:years?|yrs?|y|months?|mos?|decades?)\s+ago\b|\blong\s+ago\b",
                # "ago" is not here: "5 years ago" says when, as a year does (hostile round 9 C)
                "past": r"\b(?:history|hx|h\s*o|past|previous|previously|prior|remote|old|healed|resolved|"
                        r"pmh|phx|pmhx|s\s*p|status\s+post|prev)\b",
                # clinical round I: a year in any form ("(2025)", "in 2019", "(Oct 2025)", "2019") says when, never
                # that it is over; only a word of the "past" pattern does
                "when": rf"\((?:(?:{_MONTH_NAMES})\.?\s+)?(?:19|20)\d\d\)|\b(?:(?:in|dx|diagnosed|from)\s+|"
                        rf"(?:{_MONTH_NAMES})\.?\s+)?(?:19|20)\d\d\b",
                "present": r"\b(?:active|current|currently|now|ongoing|recent|recently|since|new)\b",
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
    conditions: Tuple[Tuple[str, str, str], ...] = ()
    """Conditions a medication line names as its indication ("vitamin D for CKD stage 4"): checked too."""
    denied: Tuple[str, ...] = ()
    """Conditions a condition line says are absent ("not on dialysis", "without psychosis"): never added."""


MAX_ITEM_CHARS = 500
"""A longer item is not read at all (not checked): bounds the cost of every pattern."""

_TAKING_DIFFERENTLY = _Lazy(r"\bpatient\s+(?:is\s+)?taking\s+differently\b\s*:?", re.IGNORECASE)
_LONG_TERM_USE = _Lazy(r"\blong[\s-]*term\s*(?:\(\s*current\s*\)|current)?\s*(?:drug\s+)?use\s+of\b", re.IGNORECASE)
_TO_BE_TAKEN = _Lazy(r"\b(one|two|three|four|half|\d+(?:\.\d+)?)\s+(?:(tab(?:let)?s?|cap(?:sule)?s?)\s+)?"
                     r"to\s+be\s+taken\b")
"""The UK label style "ONE to be taken THREE times a day" (a tablet line): "one tablet", three times a day."""

_BOUND = _Lazy(r"zqn(\d+)zqn")
_NAME_NUMBER_CANDIDATE = _Lazy(
    r"(?<![a-z'.])([a-z][a-z'.]*)((?:\s*(?:#|\bno\.?|\bnumber)\s*)|\s*-\s*|\s+)(\d{1,2})(?![\d.,%/])"
    r"(?!\s*(?:mg|mcg|ml|units?|g|gm|iu|%|micrograms?|milligrams?)\b)")


_NAME_FRACTION = _Lazy(
    r"(?<![a-z'.])([a-z][a-z'.]*)[\s-]+([a-z]{1,2})[\s-]*(?:([1-9])\s*/\s*([1-9])|([\u00bd\u00bc]))(?![\d.,%/])"
    r"(?!\s*(?:mg|mcg|ml|units?|g|gm|iu|%|micrograms?|milligrams?)\b)")
"""A product code with a fraction after a name (Fiorinal C1/4, Robaxisal C 1/2): the codeine grain."""


_last_clean = ("", "")
"""The last text cleaned and its result: the resolver cleans an item, then the line reader does again."""


def clean(text: str) -> str:
    """Dashes of every kind to ``-``, product numbers (``#3``, ``No. 3``) to bare numbers; the
    spelled-out copy of a number (``every 6 (six) hours``) and a base equivalent (``108 (90 Base)
    MCG/ACT``) are dropped, as they repeat what the line already says."""
    global _last_clean
    last = _last_clean
    if last[0] == text:
        return last[1]
    cleaned = _clean(text)
    _last_clean = (text, cleaned)
    return cleaned


_ROMAN_NUMERALS = dict(zip(
    map(ord, "\u2160\u2161\u2162\u2163\u2164\u2165\u2166\u2167\u2168\u2169\u216a\u216b"
             "\u2170\u2171\u2172\u2173\u2174\u2175\u2176\u2177\u2178\u2179\u217a\u217b"),
    "I II III IV V VI VII VIII IX X XI XII i ii iii iv v vi vii viii ix x xi xii".split(), strict=True))
"""The Roman numeral signs one to twelve (U+2160-216B, U+2170-217B) as the letters they stand for, as NFKC
writes them: "CKD stage \u2164" is stage V (hostile 8 NEW-2). Other number signs are never read as numbers in a
line (``odd_numbers``)."""


def _clean(text: str) -> str:
    if not text.isascii():
        text = text.translate(_ROMAN_NUMERALS)
    text = _rx("dashes").sub("-", text)
    if "(" in text:
        text = _rx("repeat").sub(" ", text)
    if "." in text:
        text = _rx("dotted").sub(_undot, text)
    return str(_NAME_NUMBER.sub(r" \1", text))


_DOTTED = frozenset("bd bid tid tds qid qds qhs hs od qd om on prn po pr sl sc sq im iv qam qpm am pm ac pc qod "
                    "bds".split())
"""Abbreviations written with dots (``b.d.``, ``q.h.s.``, ``t.i.d.``): read as written without them."""


def _undot(m: re.Match[str]) -> str:
    joined = m.group(0).replace(".", "")
    return joined if joined.lower() in _DOTTED else m.group(0)


def _bind_name_numbers(lowered: str, lookup: Lookup) -> str:
    """A number that belongs to a product name (Tylenol #3, Tylenol No. 3, Tylenol-3, Tylenol 3
    tabs) is bound to the name before any quantity, count or "x" rule can take it: written as a
    token those rules cannot match, turned back into the bare number after them."""
    if "\u00bd" in lowered or "\u00bc" in lowered or "/" in lowered:
        lowered = _NAME_FRACTION.sub(lambda m: _bind_fraction(m, lowered, lookup), lowered)
    if not (_ASCII_DIGIT.search(lowered) if lowered.isascii() else any(c.isdigit() for c in lowered)):
        return lowered  # (in ASCII text, the digits are 0-9)

    def bind(m: re.Match[str]) -> str:
        before = normalize(lowered[:m.start(1)]).split()[-3:]
        word = normalize(m.group(1))
        for k in range(len(before), -1, -1):
            for middle in ([], ["no"]):  # Tylenol with Codeine #1 is listed as "... no 1"
                phrase = " ".join(before[len(before) - k:] + [word] + middle + [m.group(3)])
                if lookup(phrase) is not None:
                    return f"{m.group(1)} {' '.join(middle)} zqn{m.group(3)}zqn"
        return m.group(0)

    return str(_NAME_NUMBER_CANDIDATE.sub(bind, lowered))


def _bind_fraction(m: re.Match[str], lowered: str, lookup: Lookup) -> str:
    """"Fiorinal C1/4 tablet": the fraction is part of the name, so no quantity rule may take "4 tablet".
    Bound only when the whole name with its fraction is known; written as ``c1zqs4``, read back as ``c1 4``."""
    top, bottom = (m.group(3), m.group(4)) if m.group(3) else (("1", "2") if m.group(5) == "\u00bd" else ("1", "4"))
    before = normalize(lowered[:m.start(1)]).split()[-3:]
    word, code = normalize(m.group(1)), m.group(2)
    for k in range(len(before), -1, -1):
        head = " ".join(before[len(before) - k:] + [word])
        for glued in (f"{code}{top} {bottom}", f"{code} {top} {bottom}"):
            if lookup(f"{head} {glued}") is not None:
                return f"{m.group(1)} {glued.replace(' ', 'zqs').replace(code + 'zqs', code + ' ')}"
    return m.group(0)


def non_latin_words(text: str) -> Tuple[str, ...]:
    """Words with letters that do not fold to Latin: they are never deleted, and never matched."""
    if text.isascii():
        return ()
    return tuple(w for w in _rx("words").findall(normalize(text)) if not w.isascii())


def odd_numbers(text: str, medication: bool) -> Tuple[str, ...]:
    """Number signs a line does not read: superscripts and subscripts (``\u00b2``), fractions (``\u00bd``, except
    \u00bd and \u00bc as a medication amount, "\u00bd tab"), Roman numerals past twelve and any other number sign
    (Unicode "other number" or "letter number"). A circled or full-width digit is read as its digit, a Roman
    numeral sign up to twelve as its letters (``clean``). Such a sign is never dropped: it stays unaccounted, so
    the item is not fully checked (hostile 8 NEW-2: "Epilepsy \u00b2")."""
    if text.isascii():
        return ()
    import unicodedata

    odd = []
    for char in text:
        if char.isascii() or ord(char) in _ROMAN_NUMERALS or unicodedata.category(char) not in ("No", "Nl"):
            continue
        if unicodedata.decomposition(char).startswith("<circle>") or (medication and char in "\u00bd\u00bc"):
            continue
        odd.append(char)
    return tuple(dict.fromkeys(odd))


def read_medication(text: str, lookup: Lookup, conditions: Optional[Lookup] = None) -> Reading:
    return _read(text, lookup, conditions, medication=True)


def read_condition(text: str, lookup: Lookup) -> Reading:
    return _read(text, lookup, None, medication=False)


def _read(text: str, lookup: Lookup, conditions: Optional[Lookup], medication: bool) -> Reading:
    text = without_list_marker(text)  # "1. atorvastatin 40 mg daily" as an EHR list numbers it
    if len(text) > MAX_ITEM_CHARS:
        return Reading((), (f"(an item longer than {MAX_ITEM_CHARS} characters is not read)",))
    product_numbers = {m.group(1) for m in _NAME_NUMBER.finditer(_rx("dashes").sub("-", text))}
    cleaned = clean(text)
    lowered = cleaned.lower()
    if not medication:
        lowered = _rx("hcc").sub(" ", lowered)
        if "use" in lowered:
            # ICD-10-CM Z79: "long-term (current) use of insulin" is being on it ("on insulin": diabetes)
            lowered = _LONG_TERM_USE.sub(" on ", lowered)
    # a negation covers the whole item only when the item is one clause: "no seizures; active peptic ulcer" and
    # "metformin (held, on diazepam)" go on to name something present (hostile round 6); each part is read
    said_negated = _negated(lowered, medication)
    negated = said_negated and not re.search(r"[;,]|\.\s|\bbut\b", lowered)
    if medication:
        if "differently" in lowered:
            # Epic's "(Patient taking differently: ...)": the words that follow are read as any sig is; the
            # daily dose of a baclofen line with it is never read (see ``daily_mg``)
            lowered = _TAKING_DIFFERENTLY.sub(" ", lowered)
        if "'s" in lowered or "\u2019s" in lowered:
            lowered = re.sub(r"\b([a-z])['\u2019]s\b", r"\1 s", lowered)  # Mucinex D's: not Mucinex DS
        lowered = _bind_name_numbers(lowered, lookup)
    # spans of the dose and instruction vocabulary with numbers in them
    formed = medication and not _OTHER_FORMS.isdisjoint(re.findall(r"[a-z]+", lowered))
    rest = (_spans(lowered).sub(_span_forms if formed else " ", lowered) if medication
            else _spans(lowered).sub(lambda m: " " if m.lastgroup in ("year", "every", "started") else m.group(0),
                                     lowered))
    if medication and "zq" in rest:
        rest = _BOUND.sub(r" \1 ", rest).replace("zqs", " ")
    elif not medication:
        if "mg" in rest:  # "creatinine 2.5 mg/dL", "Mg 1.2": a lab unit or level, never myasthenia gravis (round H)
            rest = re.sub(r"\d\s*mg\b(?:\s*/\s*\w+)?|\bmg\s*[:=]?\s*\d[\d.]*", " ", rest)
        if "(" in rest:
            # "eGFR 25 (2019)": the year of a result; "(Oct 2025)" a month and year
            rest = re.sub(rf"\((?:(?:{_MONTH_NAMES})\.?\s+)?(?:19|20)\d\d\)", " ", rest)
        if "pregnan" in rest or "gestation" in rest:
            # "32 weeks pregnant", "pregnancy 32+4 weeks", "pregnant 32/40": how far along, read with the pregnancy
            rest = re.sub(r"\b\d{1,2}(?:\s*\+\s*\d)?\s*(?:/\s*40\b|(?:weeks?|wks?)\b)", " ", rest)
        # "Stroke 2019", "peptic ulcer, 2015": a year ending the line says when, as "CVA (2019)" does
        rest = re.sub(_TRAILING_YEAR, " ", rest)
        if "ago" in rest:
            rest = _rx("ago").sub(" ", rest)  # "10 years ago": when, not what
        if "w/" in rest:
            rest = re.sub(r"\bw/(?!o)", " with ", rest)
        if "a" in rest:
            rest = re.sub(r"\bg([1-5])\s*a([1-3])\b", r"g\1 a\2", rest)  # KDIGO "G4A2"
    elif "w/" in rest:
        rest = re.sub(r"\bw/(?!o)", " with ", rest)
    words: List[str] = []
    at = 0
    clause: List[int] = []  # per word: which clause of the line it is in (medication lines: ; , + / and plus then)
    counted: List[Tuple[int, str]] = []  # form words inside a span ("1 patch"), with their clause
    if formed:  # clauses matter only to a line with a form word of another product in it (``_unowned_forms``)
        for piece in normalize(_rx("clauses").sub(lambda m: " zqc " + (m.group(0) if m.group(0)[0].isalpha()
                                                                         or m.group(0) == "&" else ""),
                                                  rest)).split():
            if piece == "zqc":
                at += 1
            elif piece.startswith("qxf"):
                counted.append((at, piece[3:]))
            else:
                words.append(piece)
                clause.append(at)
    else:
        words = normalize(rest).split()
        clause = [0] * len(words)
    families = _clause_families(words, clause, counted) if at else {}
    name_clause = 0
    names: List[Tuple[str, str, str]] = []
    phrases: List[str] = []
    indicated: List[Tuple[str, str, str]] = []
    unaccounted: List[str] = []
    kinds: List[str] = []  # per word: name, vocab, salt, unknown
    i = 0
    indication = False
    denied: List[Tuple[str, Tuple[str, str, str]]] = []
    while i < len(words):
        word = words[i]
        if not medication and (word in _CONDITION_NEGATORS or (word == "w" and words[i + 1:i + 2] == ["o"])):
            j = i + (2 if word == "w" else 1)
            while j < len(words) and words[j] in _NEGATED_FILLERS:
                j += 1
            treated = lookup(_TREATMENTS[words[j]]) if j < len(words) and words[j] in _TREATMENTS else None
            said = (j + 1, treated) if treated is not None else _longest(words, j, lookup) if j < len(words) else None
            if said is not None:
                denied.append((" ".join(words[i:said[0]]), said[1]))  # "not on dialysis": read as absent
                kinds.extend(["vocab"] * (said[0] - i))
                i = said[0]
                continue
        if not medication and word in _TREATMENTS and (i and words[i - 1] == "on" or lookup(word) is None):
            target = lookup(_TREATMENTS[word])  # "Gout on HD": kidney failure too
            if word == "gestational" and _past_pregnancy(lowered):
                # "history of gestational diabetes": a past pregnancy, never read as one now; the diabetes word is
                # read as any "history of diabetes" is (clinical round I)
                kinds.append("unknown")
                unaccounted.append("gestational (a past pregnancy: not read as a pregnancy now, and not checked)")
                i += 1
                continue
            if target is None:
                kinds.append("unknown")
                unaccounted.append(word)
            else:
                if target not in names:
                    names.append(target)
                kinds.append("name")
            i += 1
            continue
        drug_named = _drug_named_condition(words, i, conditions or _no_lookup) if medication and indication \
            else None
        if drug_named is not None:
            # "naloxone PRN opioid overdose", "senna for opioid-induced constipation", "nausea from opioids":
            # after "for" or PRN, a drug word inside a condition it names is the indication, not a medicine
            # taken; the condition itself is checked when it is one ("for opioid use disorder")
            cond = _longest(words, i, conditions) if conditions is not None else None
            if cond is not None:
                if cond[1][0] == "caution" and cond[1] not in indicated:
                    indicated.append(cond[1])
                drug_named = max(drug_named, cond[0])
            kinds.extend(["vocab"] * (drug_named - i))
            i = drug_named
            continue
        found = _longest(words, i, lookup)
        if found is not None:
            end, target = found
            if (end == i + 1 and word in _SALTS and kinds and kinds[-1] in ("name", "salt")):
                kinds.append("salt")  # "atorvastatin calcium": the salt, not a second medicine
                i = end
                continue
            if target not in names:
                names.append(target)
            phrases.append(" ".join(words[i:end]))
            name_clause = clause[i]
            kinds.extend(["name"] * (end - i))
            i = end
            continue
        if medication and phrases and (word in _PRODUCT_SUFFIXES or word in _INJECTION) and _same_product(
                word, clause[i], name_clause, families):
            suffixed = _suffixed(phrases, word, lookup)
            if suffixed is not None:  # "Tylenol ES PM": Tylenol PM; "baclofen inj": intrathecal baclofen
                product, base = suffixed
                if base in names and base[0] == product[0]:
                    names.remove(base)  # the base product is not what the line names
                if product not in names:
                    names.append(product)
                kinds.append("name")
                i += 1
                continue
        coded = re.match(r"([a-z]{1,2})\d+$", word) if medication and kinds and kinds[-1] == "name" else None
        coded_product = lookup(f"{phrases[-1]} {coded.group(1)}") if coded is not None else None
        if coded_product is not None:
            # "Fiorinal C1/8": a strength nobody lists, but every Fiorinal C has codeine: keep the product,
            # and the unread code keeps the line not checked
            coded_base = lookup(phrases[-1])
            if coded_base is not None and coded_base in names and coded_base[0] == coded_product[0]:
                names.remove(coded_base)
            if coded_product not in names:
                names.append(coded_product)
            kinds.append("unknown")
            unaccounted.append(word)
            i += 1
            continue
        if medication and phrases and (word in _PARENTERAL or word in _VAGINAL) and _same_product(
                word, clause[i], name_clause, families):
            routed = ((f"{phrases[-1]} {word}", f"{phrases[-1]} injection") if word in _PARENTERAL
                      else (f"{phrases[-1]} {word}", f"vaginal {phrases[-1]}"))
            injected = next((found for found in map(lookup, routed) if found is not None), None)
            base = lookup(phrases[-1])
            if injected is not None and base is not None and injected != base and "baclofen" not in (
                    base[0], base[1], injected[0], injected[1]):
                if base in names:
                    names.remove(base)  # "magnesium sulfate IV": the injection, never the oral supplement
                if injected not in names:
                    names.append(injected)
                kinds.append("name")
                i += 1
                continue
        if medication and kinds and kinds[-1] == "name" and len(word) == 2 and word.endswith("s") \
                and lookup(f"{phrases[-1]} {word[0]}") is not None:
            kinds.append("unknown")  # "Mucinex DS": Mucinex D (pseudoephedrine) or not, never plain Mucinex
            unaccounted.append(word)
            i += 1
            continue
        if medication and word in _PRODUCT_SUFFIXES and not (indication and word == "sleep"):
            prev = words[i - 1] if i else ""
            nxt = words[i + 1] if i + 1 < len(words) else ""
            timing = (word in _NIGHT_SUFFIXES and prev in _TIMING_BEFORE and kinds and kinds[-1] != "name")
            amount = (word in ("max", "maximum") and kinds and kinds[-1] != "name"
                      and (nxt.isdigit() or nxt in _FREQUENCY or nxt in _FORMS or prev in _FREQUENCY))
            strength = word == "extra" and nxt == "strength"
            if not (timing or amount or strength):
                kinds.append("unknown")  # "Mapap PM", "Tylenol caplets PM": a different product than Mapap
                unaccounted.append(word)
                i += 1
                continue
        if medication and indication:
            cond = _longest(words, i, conditions) if conditions is not None else None
            if cond is not None:
                if cond[1][0] == "caution" and cond[1] not in indicated:
                    indicated.append(cond[1])  # "vitamin D for CKD stage 4": the condition is checked
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
        elif medication and word in ("i", "ii", "iii") and (
                (i and words[i - 1] in _FORMS) or (i + 1 < len(words) and words[i + 1] in _FORMS)):
            kinds.append("vocab")  # a tablet count in Roman numerals: "tabs ii po tid"
        else:
            kinds.append("unknown")
            unaccounted.append(word)
        i += 1
    if medication and not unaccounted and re.search(r"\d\s*/\s*\d+\s*/\s*\d", lowered) and re.search(
            r"\d\s*/\s*\d+\s*/\s*\d", _rx("spans").sub(lambda m: " " if m.lastgroup == "started" else m.group(0),
                                                    lowered)):
        unaccounted.append("/".join(re.findall(r"\d+", lowered)[:4]) + "/...")  # number garbage: 1/1/1/1
    if families and names:
        unaccounted.extend(w for w in _unowned_forms(words, kinds, clause, counted, families) if w not in unaccounted)
    for word in non_latin_words(text) + odd_numbers(text, medication):
        if word not in unaccounted:
            unaccounted.append(word)
    if medication and said_negated and not negated:  # "metformin (held, on diazepam)": never fully read
        unaccounted.append("(a negation or stop word: which medicine it covers was not read)")
    if not medication and names:
        names = _past_ulcer(names, lowered, lookup)
        # "peptic ulcer, 2019", "PUD (2025)", "PUD in 2019", "(Oct 2025)": an earlier year in any form says neither that
        # the ulcer healed nor that it is still there; the contraindication stands and the year is shown as not read
        # (hostile 7 M2, clinical round I). Only a word ("previous", "h/o", "healed") makes it history.
        year = _past_year(lowered) or _past_ago(lowered)
        active = lookup("active peptic ulcer") if year is not None else None
        if year is not None and active is not None and any(n[:2] == active[:2] for n in names):
            alone = "a time alone" if year.endswith("ago") else "a year alone"
            unaccounted.append(f"{year} ({alone}: whether the ulcer healed was not read)")
        pregnancy = lookup("pregnancy")
        if pregnancy is not None and any(n[:2] == pregnancy[:2] for n in names):
            over = _past_pregnancy(lowered)
            if over:
                # "previous pregnancy", "pre-eclampsia (2019)": not a pregnancy now, and the knowledge file records
                # nothing that makes a past one harmless: not read, so never cleared (clinical round I)
                names = [n for n in names if n[:2] != pregnancy[:2]]
                unaccounted.append("(a past pregnancy or pregnancy disorder: not read as a pregnancy now, and not "
                                   "checked)")
            elif over is not None:
                unaccounted.append("(a pregnancy with a past word or year: whether it is over was not read)")
    # a condition said to be absent is never added; unless the line names it anyway, the item is only
    # partly checked, so the reading as absent is shown ("Depression without psychosis")
    absent = [phrase for phrase, target in denied if target not in names]
    unaccounted.extend(f"{phrase} (read as not present)" for phrase in absent)
    return Reading(tuple(names), tuple(dict.fromkeys(unaccounted)), negated, conditions=tuple(indicated),
                   denied=tuple(absent))


def _span_forms(m: re.Match[str]) -> str:
    """A span of the dose vocabulary removed, its form words kept as tokens (``1 patch`` -> ``qxfpatch``): what
    form a later clause counts is weighed against the line before it (``_unowned_forms``)."""
    kept = [w for w in normalize(m.group(0)).split() if _form_family(w) is not None]
    return " " + " ".join("qxf" + w for w in kept) + " " if kept else " "


def _clause_families(words: Sequence[str], clause: Sequence[int], counted: Sequence[Tuple[int, str]]
                     ) -> Dict[int, set[str]]:
    """Per clause, the form families its words name or imply ("film coated" is a tablet, not a film)."""
    found: Dict[int, set[str]] = {}
    for j, word in enumerate(words):
        family = _form_family(word)
        if family is not None and not (word == "film" and words[j + 1:j + 2] == ["coated"]):
            found.setdefault(clause[j], set()).add(family)
    for at, word in counted:
        family = _form_family(word)
        if family is not None:
            found.setdefault(at, set()).add(family)
    return found


def _before(families: Dict[int, set[str]], at: int) -> set[str]:
    return set().union(*(f for c, f in families.items() if c < at))


def _same_product(word: str, at: int, name_clause: int, families: Dict[int, set[str]]) -> bool:
    """A route or product word after a name makes it another product ("baclofen inj", "magnesium sulfate IV") only
    in the name's own clause, or when its form was given before: "baclofen 40 mg tablet qid; injection" never turns
    the tablet line into intrathecal baclofen (hostile 8 NEW-1)."""
    if at == name_clause:
        return True
    family = _form_family(word)
    return family is None or family in _before(families, at)


def _unowned_forms(words: Sequence[str], kinds: Sequence[str], clause: Sequence[int],
                   counted: Sequence[Tuple[int, str]], families: Dict[int, set[str]]) -> List[str]:
    """Form words no named medicine accounts for: in a clause after a separator (; , + / and plus then), with no
    medicine named in it or after it. A form noun ("Eye drops", "Patch 25 mcg/hr", "and inhaler") counts unless a
    word of its family came before; a counted form or a form verb ("1 patch", "inject 10 units") only when the line
    before gives another form (hostile 8 NEW-1)."""
    named = {clause[j] for j, kind in enumerate(kinds) if kind == "name"}
    if not named:
        return []
    last = max(named)
    out: List[str] = []
    entries = [(clause[j], w, w in _FORM_NOUNS) for j, w in enumerate(words)
               if kinds[j] != "name" and _form_family(w) is not None
               and not (w == "film" and words[j + 1:j + 2] == ["coated"])]
    entries += [(at, w, False) for at, w in counted]
    for at, word, noun in entries:
        if at <= last:
            continue
        family = _form_family(word)
        before = _before(families, at)
        if family in before or family == "oral" and not before - {"oral"}:
            continue
        if noun or before:
            out.append(word)
    return out


_TRAILING_YEAR = r",?\s(?:19|20)\d\d\s*$"
"""A bare year ending a condition line ("Stroke 2019", "peptic ulcer, 2019"): when, read as accounted for; never by
itself a sign that an ulcer healed (hostile 7 M2)."""
_WHEN_ONLY = frozenset("""
history hx h o of past previous previously prev prior remote old healed resolved ago pmh phx pmhx s p status post
years year yrs yr y months month mos decades decade long a an one two three four five six seven eight nine ten many
several few some in dx diagnosed diagnosis from since the
""".split())
"""Words of a clause that only says when (``10 years ago``, ``healed``, ``in 2015``)."""


def _past_ulcer(names: List[Tuple[str, str, str]], lowered: str, lookup: Lookup) -> List[Tuple[str, str, str]]:
    """"history of bleeding ulcer", "peptic ulcer 10 years ago", "PUD (2015)": an ulcer the line places in
    the past is the history-of-ulcer caution, never the contraindication of an ulcer present now; a word
    saying it is present (active, current, now, since) keeps the contraindication."""
    active, past = lookup("active peptic ulcer"), lookup("history of peptic ulcer")
    if active is None or past is None or active[:2] == past[:2] or all(n[:2] not in (active[:2], past[:2])
                                                                       for n in names):
        return names
    text = re.sub(r"\s+", " ", lowered.replace("/", " "))
    if _rx("present").search(text) or _recent(lowered):
        # "history of peptic ulcer (2026)", "hx PUD 1 month ago", "still on treatment": may be active now
        return list(dict.fromkeys(active if n[:2] == past[:2] else n for n in names))
    if re.search(r"[;,]", text):
        # "duodenal ulcer; prev H pylori": a qualifier in a clause that names something else is about that, never
        # the ulcer's (hostile 7 M2); a clause of only when-words ("..., 10 years ago") is the ulcer's
        text = " ; ".join(clause for clause in re.split(r"[;,]", text)
                          if re.search(r"ulcer|\bpud\b", clause)
                          or all(w in _WHEN_ONLY or w.isdigit() for w in re.findall(r"[a-z0-9]+", clause)))
    # a diagnosis date says when the ulcer was found, not that it healed ("peptic ulcer, diagnosed 2015": hostile 6)
    text = re.sub(r"\b(?:diagnosed|diagnosis|dx)\s*(?:in\s+|:\s*)?(?:19|20)\d\d\b", " ", text)
    if not _rx("past").search(text):
        return names
    return list(dict.fromkeys(past if n[:2] == active[:2] else n for n in names))


def _past_ago(lowered: str) -> Optional[str]:
    """A time 3 months or more ago, as written ("5 years ago", "18 months ago"): when, not that it healed;
    a more recent one keeps an ulcer active (``_recent``). None otherwise."""
    found = _rx("ago").search(lowered)
    if found is None or _recent(lowered):
        return None
    return found.group(0).strip()


def _past_year(lowered: str) -> Optional[str]:
    """An earlier year in the line, as written ("2019", "(2025)", "in 2019", "oct 2025"), unless the line also has
    this year or says since when (present since then) or gives a start date; None otherwise."""
    import datetime  # deferred: only a condition line with a year in it needs today's date

    if not any(c.isdigit() for c in lowered):
        return None
    text = re.sub(rf"\bsince\s+(?:(?:{_MONTH_NAMES})\.?\s+)?(?:19|20)\d\d\b", " ",
                  _rx("spans").sub(lambda m: " " if m.lastgroup == "started" else m.group(0), lowered))
    found = list(_rx("when").finditer(text))
    years = [int(re.findall(r"(?:19|20)\d\d", m.group(0))[0]) for m in found]
    if not found or max(years) >= datetime.date.today().year:
        return None
    return found[0].group(0).strip()


_PREGNANCY_WORDS = _Lazy(r"pregnan|eclampsia|hyperemesis|gestation|trimester|antenatal|expecting a baby|conceive")


def _past_pregnancy(lowered: str) -> Optional[bool]:
    """Whether the pregnancy a condition line names is over: True when every clause naming one places it in the
    past (a word of the "past" pattern, or a year two or more years back: "previous pregnancy", "h/o
    pre-eclampsia", "pregnancy 2019"); False when one does so only with a time that may still be now (last year,
    this year with a past word, weeks ago); None when a clause names a pregnancy with no past word or year (or
    with "current", "since"...): a pregnancy now (clinical round I)."""
    import datetime  # deferred: only a pregnancy line needs today's date

    text = re.sub(r"\s+", " ", lowered.replace("/", " "))
    clauses: List[str] = []
    for clause in re.split(r"[;,]|\.\s|\b(?:with|w|and|plus)\b", text):  # "pregnant with h/o pre-eclampsia": now
        words = re.findall(r"[a-z0-9]+", clause)
        if clauses and words and all(w in _WHEN_ONLY or w.isdigit() or re.fullmatch(_MONTH_NAMES, w) for w in words):
            clauses[-1] += " " + clause  # "pregnancy, 2019": the when of the clause before
        else:
            clauses.append(clause)
    over: Optional[bool] = None
    this_year = datetime.date.today().year
    for clause in clauses:
        if not _PREGNANCY_WORDS.search(clause):
            continue
        years = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", clause)]
        # a time ago counts as a past word here: "pregnant 10 years ago" is over (hostile round 9 took "ago" out of
        # the "past" pattern for ulcers, where a time alone does not say it healed)
        worded = _rx("past").search(clause) is not None or _rx("ago").search(clause) is not None
        if _rx("present").search(clause) or not (worded or years) or not worded and min(years) >= this_year:
            return None  # "pregnant; h/o pre-eclampsia", "pregnancy 2026": a pregnancy now
        ended = (not years or max(years) <= this_year - 2) and not _recent(clause)
        over = ended if over is None else over and ended
    return over


_RECENT_AGO = _Lazy(r"\b(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|several|couple of)\s*"
                         r"(days?|d|weeks?|wks?|w|months?|mos?|mths?)\s+ago\b")
_SMALL_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
                "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "few": 2.0, "several": 2.0, "couple of": 2.0}


def _recent(text: str) -> bool:
    """A time that may still be now: this year ("PUD (2026)"), days or weeks ago, or under 3 months ago.
    Only a clearly past ulcer (an earlier year, 3 months or more ago) becomes history; anything else stays
    the contraindication."""
    import datetime  # deferred: only an ulcer line with a time in it needs today's date

    years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)]
    if years and max(years) >= datetime.date.today().year:
        return True
    if re.search(r"\b(?:last|this) (?:week|month|year)\b|\byesterday\b|\b(?:[12]|2\.5)/12\b|\b\d{1,2}/52\b|"
                 r"\bunhealed\b|\bstill\b", text):
        return True  # UK "2/12 ago" (months) and "6/52 ago" (weeks) included
    for count, unit in _RECENT_AGO.findall(text):
        if unit.startswith(("d", "w")):
            return True
        n = _SMALL_WORDS[count] if count in _SMALL_WORDS else float(count)
        if n < 3:
            return True
    return False


def _suffixed(phrases: Sequence[str], word: str,
              lookup: Lookup) -> Optional[Tuple[Tuple[str, str, str], Optional[Tuple[str, str, str]]]]:
    """The product a name plus ``word`` makes, when there is one (Tylenol + PM, baclofen + inj),
    with the name's own target."""
    for phrase in reversed(phrases):
        parts = phrase.split()
        for head in (" ".join(parts[:n]) for n in range(len(parts), 0, -1)):  # "Motrin IB PM": Motrin PM
            candidates = [f"{head} {word}", f"{word} {head}"]
            if word in _INJECTION:
                candidates += [f"{head} injection", f"intrathecal {head}"]
            for candidate in candidates:
                found = lookup(candidate)
                if found is not None:
                    return found, lookup(phrase)
    return None


_DRUG_SUBJECTS = frozenset("""
opioid opioids opiate opiates narcotic narcotics benzodiazepine benzodiazepines benzo benzos bzd alcohol etoh
nicotine tobacco cigarette cigarettes
""".split())
"""Drug and class words that also name conditions ("opioid overdose", "alcohol withdrawal")."""
_DRUG_CONDITIONS = frozenset("overdose overdoses reversal toxicity intoxication poisoning".split())
"""After a drug word, these make it a condition the line treats (an antidote's), never the drug taken."""
_DRUG_DEPENDENCE = frozenset("""
withdrawal withdrawals dependence dependency addiction abuse misuse detox detoxification use
""".split())
"""After a drug word, these name a disorder of its use: read so only when the knowledge file knows the
condition ("opioid use disorder", "alcohol dependence": checked as cautions); otherwise the drug word stays a
drug, as a line that says "craving" or "withdrawal" may well mean it is still taken."""
_CAUSED = frozenset("induced related associated".split())
"""``opioid-induced constipation``: the drug word and this name a symptom (which must be a known one)."""
_CAUSED_BY = (("due", "to"), ("from",), ("caused", "by"), ("secondary", "to"), ("related", "to"),
              ("associated", "with"), ("induced", "by"), ("because", "of"))
"""``constipation due to opioids``: a known symptom, one of these, then a drug word."""


def _drug_named_condition(words: Sequence[str], i: int, conditions: Optional[Lookup]) -> Optional[int]:
    """The end of a condition named after a drug class that starts at ``words[i]``, in an indication: "opioid
    overdose", "opioid induced constipation" (up to the symptom, which is read on its own), "due to opioids"
    after a known symptom, and a use disorder the ``conditions`` lookup knows ("opioid use disorder"); else
    None. Only a fixed set of class words, never a named medicine ("nausea from morphine" keeps morphine: the
    patient may take it). Without a ``conditions`` lookup (splitting), any use disorder counts."""
    word = words[i]
    if word in _DRUG_SUBJECTS:
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt in _DRUG_CONDITIONS:
            return i + 2
        if nxt in _CAUSED and i + 2 < len(words) and words[i + 2] in _INDICATIONS:
            return i + 2
        if nxt in _DRUG_DEPENDENCE:
            if conditions is None:
                return i + 2
            known = _longest(words, i, conditions)
            if known is not None and known[0] >= i + 2 and known[1][0] == "caution":
                return known[0]
        return None
    if i == 0 or words[i - 1] not in _INDICATIONS:
        return None
    for link in _CAUSED_BY:
        end = i + len(link)
        if tuple(words[i:end]) == link and end < len(words) and words[end] in _DRUG_SUBJECTS:
            return end + 1
    return None


def _no_lookup(phrase: str) -> None:
    return None


def _is_vocab(word: str) -> bool:
    return (word in _FORMS or word in _RELEASE or word in _SALTS or word in _ROUTES or word in _FREQUENCY
            or word in _NUMBER_WORDS or word in _MAKERS)


SPAN_WORDS = "span_words"
"""The attribute of an index lookup (``resolve.Resolver._phrase``) holding ``span_words(index)``."""


def span_words(keys: Iterable[str]) -> Dict[str, int]:
    """For each first word of a key of several words, the most words such a key has.

    An index lookup matches a phrase, or the phrase with its last word's singular or plural: a
    phrase of n words only ever matches a key with its first word and n words. So a span that
    starts with a word no key of several words starts with can only be that word alone, and no
    span is longer than the longest key starting with its word: ``_longest`` tries only those
    (the same answers, far fewer lookups)."""
    most: Dict[str, int] = {}
    for key in keys:
        if " " in key:
            first = key.split(" ", 1)[0]
            n = key.count(" ") + 1
            if n > most.get(first, 0):
                most[first] = n
    return most


def _longest(words: Sequence[str], start: int, lookup: Optional[Lookup]) -> Optional[Tuple[int, Tuple[str, str, str]]]:
    if lookup is None:
        return None
    top = min(len(words), start + MAX_NAME_WORDS)
    spans: Optional[Dict[str, int]] = getattr(lookup, SPAN_WORDS, None)
    if spans is not None and start < len(words):
        top = min(top, start + spans.get(words[start], 1))
    for end in range(top, start, -1):
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
    if _NEGATION_PHRASES_IN.search(padded) or " denies " in padded:
        return True
    if not medication:  # "not intractable", "not in remission" are ICD-10-CM wording, not denials
        return False
    return bool(_STOPPED.intersection(key.split())) or " not " in padded


_WORD_NUMBERS = {"one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0,
                 "eight": 8.0, "nine": 9.0, "ten": 10.0, "twelve": 12.0, "half": 0.5, "once": 1.0, "twice": 2.0,
                 "thrice": 3.0}
_DOSE_SENSITIVE = frozenset("""
then x day days week weeks wk wks month months hour hours hr hrs h time times once twice thrice daily every each
other alternate prn needed required necessary sos stat max maximum up to or and more than exceed taper tapering
titrate titrating increase increased decrease reduce until weekly monthly per plus additional extra morning mornings
evening evenings night nights nightly bedtime noon midday afternoon am pm qam qpm qhs hs bid tid qid tds qds bd od qd
nocte mane qod qad dose doses mg mcg g ml half quarter one two three four five six seven eight nine ten twelve
minute minutes min mins if when as then after before hourly total divided split range between week
i ii iii iv v vi
breakfast breakfasts lunch lunches supper suppers dinner dinners tea meal meals mealtime mealtimes ac pc waking wake
base
""".split())
"""Words that change a daily total: left over after reading, they mean the dose was not understood. Meal words
count: "40 mg daily at breakfast, lunch, supper" is three doses, never one."""


_ROMAN = {"i": 1.0, "ii": 2.0, "iii": 3.0, "iv": 4.0}
"""Tablet counts written as Roman numerals (``tabs ii po tid``): read only next to a tablet word."""
_ROMAN_FORMS = "tabs?|tablets?|caps?|capsules?|pills?"


def _dose_rx() -> Dict[str, re.Pattern[str]]:
    if "dose_amount" not in _RX:
        num = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|half)"
        unit = r"(mg|milligrams?|mcg|micrograms?|ug|g|gm|grams?)"
        _RX["dose_perday"] = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*{unit}\s*(?:/|per|a|each)\s*"
                                        rf"(?:day|d|24\s*h(?:rs?|ours?)?)\b")
        _RX["dose_conc"] = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*{unit}\s*/\s*(\d+(?:\.\d+)?)?\s*ml\b")
        _RX["dose_amount"] = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*{unit}(?![\w/])")
        _RX["dose_ml"] = re.compile(rf"(?<![\w.]){num}\s*(?:ml|mls|millilit(?:er|re)s?)\b")
        _RX["dose_qty"] = re.compile(rf"(?<![\w.]){num}\s*(?:tabs?|tablets?|tbls?|caps?|capsules?|pills?|"
                                     rf"caplets?|packets?|sachets?)(?:\s*\(s\))?(?![\w])")
        _RX["dose_freq"] = re.compile(
            r"\b(?:q\s*|every\s+)(\d+|one|two|three|four|six|eight|twelve)\s*(?:h|hr|hrs|hours?)\b"
            r"|\b((?:\d+|one|two|three|four|five|six)\s*(?:x|times?)|once|twice|thrice)\s*(?:a|per|each|/)?\s*"
            r"(?:day|daily|d)\b"
            r"|\b(" + "|".join(re.escape(k) for k in sorted(_FREQ_PER_DAY, key=len, reverse=True)) + r")\b")
    return _RX


def _number(word: str) -> float:
    return _WORD_NUMBERS[word] if word in _WORD_NUMBERS else float(word)


def _mg(value: str, unit: str) -> float:
    amount = float(value)
    if unit.startswith(("mcg", "micro", "ug")):
        return amount / 1000
    if unit in ("g", "gm") or unit.startswith("gram"):
        return amount * 1000
    return amount


_BACLOFEN_NAMES = _Lazy(r"\b(?:baclofen|lioresal|ozobax|fleqsuvy|lyvispah|kemstro|gablofen)\b", re.IGNORECASE)
def names_baclofen_twice(text: str) -> bool:
    """Two baclofen lines joined in one item ("baclofen 10 mg tid; Lioresal 20 mg"); a brand in brackets,
    "baclofen (LIORESAL) 10 MG tablet", is the same line."""
    return len(_BACLOFEN_NAMES.findall(re.sub(r"[(\[][^)\]]*[)\]]", " ", text))) > 1


_MAX_DAILY = _Lazy(r"\bmax(?:imum)?\.?\s*daily\s+(?:amount|dose)\b", re.IGNORECASE)
_SUPPLY_END = (r"(?=\s*(?:$|[,;|]|\.\s*(?:$|[,;|])|\.?\s*\b(?:disp|dispense|dispensed|qty|quantity|refills?|rf|"
               r"start(?:ed|s)?|sig|days?\s+supply)\b))")
"""After a supply field: the end of the clause (end, comma, semicolon) or another field. A figure followed by
anything else ("qty 2 tablets three times daily") may be the dose itself (hostile 7 C2)."""
_DISPENSED = _Lazy(rf"(?<![\w.])(?:disp|dispense|dispensed|qty|quantity)\s*:?\s*#?\s*{_NUM}\s*"
                   rf"(?:{_QTY_UNIT}|ml|mls|millilit(?:er|re)s?)?(?:\s*\(s\))?(?![\w/]){_SUPPLY_END}"
                   rf"|(?<![\w.])(?:refills?|rf)\s*:?\s*#?\s*\d{{1,3}}(?![\w.]){_SUPPLY_END}"
                   rf"|(?<![\w.])\d{{1,3}}\s*refills?\b{_SUPPLY_END}")
"""What a prescription dispenses (``Disp: 90 tablet``, ``Qty: 30``) and its refills (``Refill: 2``, ``3 refills``),
only as a field of its own: after a sig verb ("take quantity 2 tablets") or before dose or frequency words ("disp 2
tabs qid") the figure is not a supply, and it stays in the line (a removed number never makes a total smaller)."""
_SIG_BEFORE = _Lazy(r"\b(?:take|takes|taking|give|use|inhale|apply|instill|insert|chew|dissolve|inject|swallow)"
                    r"\s*:?\s*$")
_TOTAL_PER_DOSE = _Lazy(r"\(\s*(\d+(?:\.\d+)?)\s*mg\s+total\s*\)", re.IGNORECASE)
"""The amount of one dose restated in brackets, as EHRs print it: ``(10 mg total)``."""


def daily_mg(text: str) -> Optional[float]:
    """The daily dose a baclofen line states, only when the whole line is understood; else None.

    ``baclofen 10 mg TID`` -> 30; ``Baclofen 10 MG Oral Tablet, 1 tab three times daily`` -> 30;
    ``baclofen 20 mg q4h`` -> 120; ``baclofen 30 mg tid and 30 mg qhs`` -> 120; ``Ozobax 5 mg/5 mL,
    30 mL TID`` -> 90; ``baclofen 90 mg/day`` -> 90. Ranges, PRN, two frequencies in one part or any
    dose word left over give None (the caller reports the dose as not read, never a smaller number).
    """
    text = without_list_marker(text)
    if len(text) > MAX_ITEM_CHARS:
        return None
    if _TAKING_DIFFERENTLY.search(text):
        return None  # "(Patient taking differently: ...)": what is written is not what is taken
    if names_baclofen_twice(text):
        # "baclofen 10 mg tid; baclofen 10 mg tid": two lines in one item, never one dose (a brand in
        # brackets, "baclofen (LIORESAL) 10 MG tablet", is the same line)
        return None
    if _MAX_DAILY.search(text):
        # Epic's "Max Daily Amount: 6 tablets": the most the order allows, not the dose taken; what is taken up to
        # it is not known, so the dose is not read (never the sig's smaller figure, never the limit as a dose)
        return None
    totals = list(_TOTAL_PER_DOSE.finditer(text))
    if totals:
        # Epic writes "Take 1 tablet (10 mg total) by mouth 3 (three) times daily": the bracket restates the
        # amount of one dose. Read the line without it, then again from the stated total alone; the dose is
        # known only when both readings agree (a bracket that contradicts the tablets leaves it unread).
        if len(totals) > 1:
            return None
        bracket = totals[0]
        without = daily_mg(text[:bracket.start()] + " " + text[bracket.end():])
        stated = daily_mg(f"baclofen {bracket.group(1)} mg tablet, take 1 tablet {text[bracket.end():]}")
        return without if without is not None and stated is not None and abs(without - stated) < 1e-6 else None
    for pair in re.finditer(r"\b(\d+)\s*\(\s*([a-z]+)\s*\)", text.lower()):
        # Epic writes "3 (three) times daily": the word must restate the figure, else nobody knows which is right
        if pair.group(2) not in _WORD_NUMBERS or _WORD_NUMBERS[pair.group(2)] != float(pair.group(1)):
            return None
    import unicodedata

    lowered = unicodedata.normalize("NFKC", clean(text).replace("\u00bd", " 1/2")).lower()
    lowered = re.sub(r"(\d)\s+1/2(?![\d/])", r"\1.5", lowered)  # 1 1/2, 1½
    lowered = re.sub(r"(?<![\d/])1/2(?![\d/])", "0.5", lowered)
    lowered = re.sub(r"\s+", " ", lowered)
    if "start" in lowered:
        lowered = _rx("spans").sub(lambda m: " " if m.lastgroup == "started" else m.group(0), lowered)
    if re.search(r"\b(?:disp|dispense|dispensed|qty|quantity|refills?|rf)\b", lowered):
        # "Disp: 90 tablet", "Refill: 2", "3 refills": the supply dispensed and its refills, never a dose
        doubt: List[str] = []

        def supply(m: re.Match[str]) -> str:
            if _SIG_BEFORE.search(lowered, 0, m.start()):
                return m.group(0)  # "take quantity 2 tablets": the dose, not a supply
            figure = re.search(r"\d[\d,]*(?:\.\d+)?", m.group(0))
            if m.group(0).startswith(("d", "q")) and figure is not None \
                    and float(figure.group(0).replace(",", "")) < 10:
                doubt.append(m.group(0))  # "disp 2 tablets, tid": as likely a dose as a supply
            return " "
        lowered = _DISPENSED.sub(supply, lowered)
        if doubt:
            return None  # a figure removed must never make a total smaller: when in doubt, the dose is not read
    if "h" in lowered:
        # UK "4-hourly", "6 hourly": every 4 or 6 hours (a range, "4-6 hourly", stays unread)
        lowered = re.sub(r"(?<![\d.\-/])(\d+)\s*-?\s*(?:hourly|hrly|hly)\b", r"q\1h", lowered)
    if "taken" in lowered and re.search(r"\b(?:tab|tabs|tablets?|caps?|capsules?)\b", lowered) and \
            not re.search(r"\bml\b|\d\s*ml", lowered):
        lowered = _TO_BE_TAKEN.sub(lambda m: f"{m.group(1)} {m.group(2) or 'tablet'}", lowered)
    if re.search(r"\d,\s*\d", lowered):
        if re.search(r"\d,\s+\d|\d,\d{3}(?!\d)|\d,\d+,", lowered):
            return None  # "7, 5 mg", "1,500 mg": a decimal comma or a thousands separator, not certain which
        lowered = re.sub(r"(\d),(\d{1,2})(?!\d)", r"\1.\2", lowered)  # a decimal comma: 7,5 mg is 7.5 mg
    lowered = _rx("roman_qty").sub(lambda m: f"{_ROMAN[m.group(2) or m.group(3)]:g} {m.group(1) or m.group(4)}",
                                   lowered)
    if re.search(r"\b(?:prn|as needed|if needed|when required|as required|sos)\b", lowered):
        return None
    rx = _dose_rx()
    conc = None
    m = rx["dose_conc"].search(lowered)
    if m is not None:
        conc = _mg(m.group(1), m.group(2)) / float(m.group(3) or 1)
        lowered = lowered[:m.start()] + " " + lowered[m.end():]
        if rx["dose_conc"].search(lowered):
            return None
    if re.search(r"\d\s*(?:-|to|or|/)\s*\d", lowered):
        return None  # a range or a fraction nobody resolved
    per_day = rx["dose_perday"].findall(lowered)
    if per_day:
        lowered = rx["dose_perday"].sub(" ", lowered)
        if len(per_day) > 1 or rx["dose_freq"].search(lowered) or rx["dose_amount"].search(lowered):
            return None
        return _leftover_ok(lowered) and _mg(*per_day[0]) or None
    amounts = rx["dose_amount"].findall(lowered)
    strength = _mg(*amounts[0]) if len(amounts) == 1 else None
    parts = re.split(r"\s(?:and|&|\+|plus)\s|\s?\+\s?|;", lowered)
    total = 0.0
    counted = False
    for index, part in enumerate(parts):
        freqs = []
        for f in rx["dose_freq"].finditer(part):
            if f.group(1):
                every = _number(f.group(1))
                if every <= 0 or 24 % every:
                    return None
                freqs.append(24 / every)
            elif f.group(2):
                freqs.append(_number(re.sub(r"\s*(?:x|times?)$", "", f.group(2))))
            else:
                freqs.append(float(_FREQ_PER_DAY[f.group(3)]))
        part_amounts = rx["dose_amount"].findall(part)
        qty = rx["dose_qty"].findall(part)
        ml = rx["dose_ml"].findall(part)
        if not freqs:
            if qty or ml or (part_amounts and (counted or len(amounts) != 1)):
                return None  # an amount with no frequency: only the one strength of the line may stand alone
            if index and normalize(part).strip():
                return None  # "tid and a pill", "with meals and at bedtime": a later part that says no frequency
            continue
        if len(freqs) != 1 or len(part_amounts) > 1 or len(qty) + len(ml) > 1:
            return None  # "tid tid", "three times daily twice daily": one frequency to a part
        if index and not (part_amounts or qty or ml):
            # "25 mg with meals and at bedtime", "tid and twice daily": a later part that restates no amount
            # leans on words before it that were not all read
            return None
        if ml:
            if conc is None or part_amounts:
                return None
            dose = conc * _number(ml[0])
        elif part_amounts and (not qty or len(amounts) == 1):
            dose = _mg(*part_amounts[0]) * (_number(qty[0]) if qty else 1.0)
        elif strength is not None:
            dose = strength * (_number(qty[0]) if qty else 1.0)
        else:
            return None
        total += dose * freqs[0]
        counted = True
    if not counted:
        return None
    rest = rx["dose_freq"].sub(" ", rx["dose_qty"].sub(" ", rx["dose_ml"].sub(" ", rx["dose_amount"].sub(" ", lowered))))
    return total if _leftover_ok(rest) else None


def _leftover_ok(rest: str) -> bool:
    """No number or dose word is left once the strength, amounts and frequencies are read."""
    for word in normalize(re.sub(r"\s(?:and|&|\+|plus)\s|\+|;", " ", rest)).split():
        if word in _DOSE_SENSITIVE or any(c.isdigit() for c in word):
            return False
    return True


# -- conditions: severity -----------------------------------------------------------------------

_COMPARATORS = {"<": "<", "<=": "<=", "\u2264": "<=", "=<": "<=", ">": ">", ">=": ">=", "\u2265": ">=", "=>": ">=",
                "less than": "<", "under": "<", "below": "<", "less than or equal to": "<=",
                "greater than": ">", "more than": ">", "over": ">", "above": ">", "greater than or equal to": ">="}
"""How a kidney value may be given as a limit (``eGFR <30``, ``CrCl less than 30``), as its comparator."""

_STAGE_EGFR: Dict[str, Optional[float]] = {
    "1": None, "i": None, "2": 89.0, "ii": 89.0, "3": 59.0, "iii": 59.0, "3a": 59.0, "3b": 44.0,
               "4": 29.0, "iv": 29.0, "5": 14.0, "v": 14.0, "iiia": 59.0, "iiib": 44.0}
_ICD_EGFR: Dict[str, Optional[float]] = {"n181": None, "n182": 89.0, "n183": 59.0, "n1830": 59.0, "n1831": 59.0, "n1832": 44.0,
             "n184": 29.0, "n185": 14.0, "n186": 14.0, "z992": 14.0, "z49": 14.0,
             "i120": 14.0, "i132": 14.0}  # hypertensive kidney disease with stage 5 CKD or ESRD
_FAILURE_WORDS = ("esrd", "eskd", "end stage", "dialysis", "haemodialysis", "hemodialysis", "on hd", "on pd",
                  "capd", "kidney failure", "renal failure")


def renal_from_condition(text: str) -> Optional[RenalFunction]:
    """A kidney function a condition line states: ``eGFR 25`` -> egfr 25; ``CKD stage 4`` -> egfr 29
    (the upper bound of the stage's band); ``ESRD on HD`` -> egfr 14. None when it states none.
    ``CrCl <30`` (also ``< 30``, ``less than 30``, ``under 30``, ``below 30``) -> crcl 30 with the
    comparator ``<``: graded at the worst band it allows (``RenalFunction.graded``)."""
    lowered = clean(text).lower()
    if _negated(lowered, medication=False):
        return None
    found: List[RenalFunction] = []
    for m in _rx("gfr").finditer(lowered):  # several values ("eGFR 45, now 12"): the worst is graded
        measure = "crcl" if m.group(1).startswith("cr") else "egfr"
        # a range ("eGFR 10-40"): its lower bound, the worst case it allows (hostile round 6)
        if re.match(r"(?!ml)[^\W\d_]", lowered[m.end():]):
            return None  # "eGFR 1OO" (the letter O), "eGFR 3l": a value with a letter in it is not read (hostile 8)
        value = min(float(m.group(3)), float(m.group(4))) if m.group(4) else float(m.group(3))
        comparator = _COMPARATORS.get(re.sub(r"\s+", " ", m.group(2))) if m.group(2) and not m.group(4) else None
        if 0 < value < 200:
            found.append(RenalFunction(measure, value, text, comparator))
        else:
            return None
    if found:
        return min(found, key=lambda r: r.graded)
    lowered = re.sub(r"\b(?:not|no|without|w/o|wo)\s+(?:(?:on|yet|currently|requiring|any)\s+)*[\w-]+", " ",
                     lowered)  # "not on dialysis": a kidney failure word said to be absent
    key = normalize(lowered)
    code = re.search(r"\b([nzi])\s?(\d{2})\.?(\d{0,2})\b", lowered)
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
    matches = list(_rx("stage").finditer(lowered))
    stages = [_STAGE_EGFR.get(stage.group(1).lower()) for stage in matches]
    if matches:  # "CKD stage 3 or 5", "CKD 3-5", "CKD 3/5", "CKD 3b-4", "stage 3 -> 5": every stage named counts
        tail = lowered[matches[0].end():]
        stages += [_STAGE_EGFR.get(m.group(1)) for m in re.finditer(
            r"(?:\bor\b|\band\b|\bto\b|-+>?|\u2013|/|,)\s*(?:stage\s*)?(3a|3b|iiia|iiib|1|2|3|4|5|iv|v|i{1,3})\b",
            tail)]
    if stages:  # "CKD stage 3, stage 5": the worst stage stated (hostile round 6)
        return None if None in stages else RenalFunction("egfr", min(s for s in stages if s is not None), text)
    return None



_YEARS = r"years?|yrs?|yr|y"
_MONTHS = r"months?|mos?|mths?|mnths?"
_AGE = (rf"\b(?:age|aged|age:)\s*(?P<a>\d{{1,3}})(?:\s*(?P<au>{_YEARS}|{_MONTHS})\.?(?:\s*old)?)?(?![\w/])"
        rf"|\b(?P<b>\d{{1,3}})(?:\s*|-)(?:yo|y/o|y\.o\.?|(?P<bu>{_YEARS}|{_MONTHS})(?:\s*|-)old)(?![\w/])"
        rf"|\b(?P<c>\d{{1,3}})\s*(?P<cu>{_YEARS}|{_MONTHS})\.?\s+of\s+age\b"
        rf"|^\s*(?P<d>\d{{1,3}})\s*(?:(?P<du>{_YEARS}|{_MONTHS})\.?(?:\s*,?\s*(?:[mf]|male|female))?"
        rf"|\s?(?:[mf]|male|female))\s*$"
        r"|^\s*(?:a\s+)?(?P<n>newborn|neonate|neonatal|newborn infant|newborn baby)\s*$")
"""An age typed as a condition: ``age 80``, ``aged 80``, ``80 yo``, ``80 y/o``, ``80-year-old``, ``83F``,
``age 18 months``, ``6 months old``, ``9 years of age``; as a whole item also ``7 yrs``, ``12 y``, ``6 mo``,
``18 months``, ``newborn``, ``neonate``. A bare number of years or months inside a longer line is a duration
(``epilepsy 7 yrs``), never an age."""


def age_from_condition(text: str) -> Optional[Tuple[int, int, int]]:
    """(start, end, whole years) of an age a condition line states, or None (an age over 120 is not
    read). Months are whole years (18 months -> 1); a newborn or neonate is 0."""
    m = re.search(_AGE, text, re.IGNORECASE)
    if m is None:
        return None
    if m.group("n"):
        return m.start(), m.end(), 0
    number, unit = next((m.group(k), m.group(k + "u")) for k in "abcd" if m.group(k) is not None)
    years = int(number)
    if unit and unit.lower().startswith("m"):
        years //= 12
    return (m.start(), m.end(), years) if years <= 120 else None

# -- splitting a value into items ---------------------------------------------------------------

_CONTINUATION = ("stage ", "with ", "without ", "unspecified", "uncomplicated", "in remission", "in ",
                 "not ", "due to ", "secondary to ", "w/", "w/o", "g1", "g2", "g3", "g4", "g5", "(",
                 "initial encounter", "subsequent", "sequela", "gfr", "egfr", "relapsing", "remitting",
                 "progressive", "primary progressive", "secondary progressive", "cervical", "thoracic", "lumbar",
                 "complete", "incomplete")
"""Pieces starting so continue an ICD-10-CM style description (``Chronic kidney disease, stage 4``)."""
_WEAK_CONTINUATION = ("and ", "or ", "type ", "on ", "severe", "mild", "moderate", "end stage", "end-stage", "chronic", "acute",
                      "intractable", "controlled", "uncontrolled",
                      # when and whether it is present: "history of PUD, still on treatment", "..., recurrence 2026"
                      "still", "active", "current", "now", "ongoing", "diagnosed", "recurren", "recurred", "relapse",
                      "treated", "unhealed", "healed", "last ", "this ", "since", "recent", "bleeding", "perforat")
_WITH_CONTINUATION = ("plus ", "+", "also ", "then ", "and then ", "followed by ", "increase", "increasing ",
                      "extra ", "additional ", "another ", "taper", "reduce", "reducing ", "decrease", "or ")
"""A medication piece starting so goes on with the line before it ("baclofen 20 mg qid, plus 20 mg at night"),
unless it names a medicine itself: a baclofen line is never read as only its first part (clinical round G)."""
"""These continue a description unless the piece names a condition itself (``..., chronic kidney disease``)."""


def split_lines(text: str) -> List[str]:
    """The non-blank lines of a text, trimmed: a list file's items, and those of a value of several lines.
    Only a line feed or carriage return ends a line; other controls stay in the item (shown escaped)."""
    return [line.strip() for line in re.split(r"\r\n|[\r\n]", text) if line.strip()]


_HEADER_CELLS = frozenset(("medication", "medications", "sig", "dispense", "disp", "quantity", "qty", "refill", "refills",
                           "start date"))
"""Column headings of an EHR medication table (Epic: Medication, Sig, Dispense, Refill), the first being the medicine."""


def _header(line: str) -> Optional[List[str]]:
    """The column headings of a table heading line (tab-separated, or one heading alone), else None."""
    cells = [cell.strip() for cell in line.split("\t")]
    if all(normalize(cell) in _HEADER_CELLS for cell in cells):
        return cells
    return None


def attach_fields(lines: List[str], kind: Optional[str] = None,
                  known: Optional[Callable[[str], bool]] = None) -> List[str]:
    """The lines of a list, with the lines that only say something about the medicine above attached to it, so
    each is read with its medicine instead of as an item nobody understands.

    A medication table pasted from an EHR (Epic: ``Medication``, ``Sig``, ``Dispense``, ``Refill``), its rows one
    line each with tab-separated cells, or one cell a line: the heading gives the cells their labels (``baclofen
    10 MG tablet, Sig: Take 1 tablet ..., Dispense: 90 tablet, Refill: 2``), and the heading line is read as the
    labels it gives; under it, a line of only dose, instruction and quantity words (``Take 1 tablet by mouth
    daily.``, ``90 tablet``) or a bare number (a refill count) goes with the medicine above. With or without a
    heading, so does a start date (``Start date: 2026-01-01``) and a heading word alone (``Refill``). A line that
    names anything (``known``) or denies anything is always an item of its own, as is a line before any medicine,
    and nothing is attached past ``MAX_ITEM_CHARS``: no medicine line is ever lost or joined to another."""
    lines = [kept for kept in (_unlisted(line, kind) for line in lines) if kept]
    items: List[List[str]] = []  # each item: its line, then the lines attached to it
    labelled: List[Optional[List[str]]] = []  # the column labels in force for each item's attached lines
    columns: Optional[List[str]] = None
    at = 0
    while at < len(lines):
        line = lines[at]
        heading = _header(line) if kind != "history" else None
        if heading is not None and normalize(heading[0]) in ("medication", "medications"):
            if len(heading) == 1:  # one heading a line: "Medication", "Sig", "Dispense", "Refill"
                end = at + 1
                while end < len(lines) and len(_header(lines[end]) or ()) == 1:
                    end += 1
                heading = [h.strip() for h in lines[at:end]]
            else:
                end = at + 1
            if len(heading) > 1 and end < len(lines):  # a heading with rows after it: read as their labels
                columns = heading
                at = end
                continue
        if columns is not None and "\t" in line:
            cells = [cell.strip() for cell in line.split("\t")]
            if len(cells) == len(columns) and cells[0]:
                joined = _labelled(cells[0], columns[1:], cells[1:])
            else:
                joined = ", ".join(cell for cell in cells if cell)
            if len(joined) <= MAX_ITEM_CHARS:
                items.append([joined])
                labelled.append(None)
                at += 1
                continue
        if items and _is_field(line, kind, known, columns is not None, items[-1][0]) \
                and len(", ".join(items[-1] + [line])) + 40 <= MAX_ITEM_CHARS:
            items[-1].append(line)
        else:
            items.append([line])
            labelled.append(columns)
        at += 1
    out = []
    for parts, labels in zip(items, labelled, strict=True):
        fields = parts[1:]
        if labels is not None and len(fields) == len(labels) - 1:
            out.append(_labelled(parts[0], labels[1:], fields))
            continue
        out.append(", ".join([parts[0], *fields]))
    return out


_LIST_MARKER = re.compile(r"(?:\(?\d{1,3}[.)]|#\d{1,3}[.):]?|[-*\u2022\u00b7\u25aa\u25e6\u2023])\s+(?=[^\W\d_])")
"""A list number or bullet before an item, as EHR lists and notes write them: "1. ", "2) ", "(3) ", "- ", "• "."""
_MEDICATION_HEADING = re.compile(
    r"(?:(?:active|current|outpatient|inpatient|home|discharge|scheduled|regular|prn|as needed|otc|"
    r"prior to admission|my)\s+)*(?:medications?|meds|medication list|medicines?|drugs?)"
    r"(?:\s+list)?(?:\s*\(\d{1,3}\))?(?:\s+on\s+file(?:\s+prior\s+to\s+(?:visit|admission|encounter))?)?\s*:?"
    # Epic's own line when a list is empty: it names nothing to check
    r"|no\s+current\s+(?:facility-administered|outpatient|inpatient)\s+medications\s+on\s+file"
    r"(?:\s+prior\s+to\s+(?:visit|admission|encounter))?\.?")
_HISTORY_HEADING = re.compile(
    r"(?:(?:active|current|past|chronic|resolved)\s+)*(?:problems?|problem list|diagnos[ie]s|conditions?|"
    r"medical history|past medical history|pmh|pmhx)(?:\s*\(\d{1,3}\))?\s*:?")


def without_list_marker(text: str) -> str:
    """The text without a list number or bullet in front ("1. ", "2) ", "(3) ", "- ", "• "). Only a number
    followed by "." or ")" and a space is a list number: "2 tablets daily" is a sig."""
    marker = _LIST_MARKER.match(text)
    return text[marker.end():] if marker else text


def _unlisted(line: str, kind: Optional[str]) -> str:
    """A line of a pasted list as it is, or "" for a heading of the list's own kind ("Active Medications:",
    "Problem List (4)"), which names nothing to check. A heading of the other kind ("Problems:" among
    medicines) is kept: it is then not recognized, never dropped. The line keeps its list number or bullet
    ("1. atorvastatin 40 mg daily"): it is shown as given, and the readers skip it (``without_list_marker``)."""
    marker = _LIST_MARKER.match(line)
    lowered = " ".join(line[marker.end() if marker else 0:].lower().split())
    heading = _HISTORY_HEADING if kind == "history" else _MEDICATION_HEADING
    # a bare "Medication" is an EHR table's column heading: attach_fields reads it as the table's labels
    said = lowered.endswith(":") or lowered.endswith(")") or " " in lowered
    return "" if said and heading.fullmatch(lowered) else line


def _started_only(lowered: str) -> bool:
    """The text is only a start date (``Start date: 2026-01-01``, ``started 01/02/2026``)."""
    started = _rx("spans").fullmatch(lowered.rstrip(". "))
    return started is not None and started.lastgroup == "started"


_SIG_VERBS = frozenset("take takes give use inhale instill insert chew dissolve swallow inject apply place spray "
                       "rinse".split())
"""A sig starts with one of these (``Take 1 tablet by mouth daily``)."""
_WHEN_WORDS = frozenset("""
daily od qd qday qdaily bid bd tid tds qid qds qhs hs nocte mane qam qpm am pm qod qad weekly monthly fortnightly
once twice thrice times morning mornings evening evenings night nights nightly bedtime noon midday afternoon hourly
prn needed required directed breakfast lunch dinner supper meal meals
""".split())
"""Frequency and timing words: with a number, what makes a line a dose instruction (``twice daily``, ``at night``)."""
_DOSING_UNITS = frozenset("tab tabs tablet tablets cap caps capsule capsules pill pills caplet caplets ml dose doses "
                          "unit units".split())
"""Form words that only count a dose (``1 tablet``); any other form word (``Eye drops``, ``Inhaler``,
``Injection``) may be a medicine of its own, never a field of the line above (hostile 7 C1)."""
_SUPPLY_FIELD = _Lazy(rf"(?:(?:disp|dispense|dispensed|qty|quantity)\s*:?\s*#?\s*)?{_NUM}\s*"
                      rf"(?:(?P<unit>{_QTY_UNIT}|mls?|each|ea)(?:\s*\(s\))?)?\.?", re.IGNORECASE)
_REFILL_FIELD = _Lazy(r"(?:refills?|rf)\s*:?\s*#?\s*\d{1,3}\.?|\d{1,3}\s*refills?\.?|\d{1,3}", re.IGNORECASE)


def _form_only(piece: str) -> bool:
    """A piece of only form and route words, no figure (``Eye drops``, ``then Inhaler``, ``Gummies``): what a
    medicine is, never a field or a continuation of the line above; alone it is not recognized."""
    lowered = clean(piece).lower()
    if re.search(r"\d", lowered):
        return False
    words = normalize(lowered).split()
    while words and words[0] in ("then", "also", "plus", "and", "or", "with", "as", "an", "a"):
        words = words[1:]
    return bool(words) and any(w in _FORMS for w in words) \
        and all(w in _FORMS or w in _ROUTES or w in _RELEASE for w in words)


def _bare_quantity(lowered: str, above: str) -> bool:
    """``90 tablet``, ``Disp: 30``, ``120 mL``: a supply, its unit a dose count or the form of the line above
    (``1 Inhaler`` under an inhaler line, never under a tablet)."""
    m = _SUPPLY_FIELD.fullmatch(lowered.strip())
    if m is None:
        form = re.fullmatch(rf"(?:(?:disp|dispense|qty|quantity)\s*:?\s*#?\s*)?{_NUM}\s*([a-z]+)\.?", lowered.strip())
        return form is not None and form.group(1) in _FORMS \
            and re.search(rf"\b{re.escape(form.group(1).rstrip('s'))}", above.lower()) is not None
    unit = (m.group("unit") or "").lower()
    if not unit or unit in _DOSING_UNITS or unit.rstrip("s") in _DOSING_UNITS or unit in ("ml", "mls", "each", "ea"):
        return True
    stem = unit[:-2] if unit.endswith("es") and unit[:-2] in _FORMS else unit.rstrip("s")
    return bool(re.search(rf"\b{re.escape(stem)}", above.lower()))


def _instruction(line: str, known: Optional[Callable[[str], bool]], above: Optional[str] = None) -> bool:
    """A sig: a line starting with a sig verb (``Take 1 tablet by mouth daily``, ``Apply to affected area``), or
    a dose or frequency instruction (``1 tablet three times daily``, ``20 mg at night``). Every word dose or
    instruction vocabulary, no form word beyond a counted dose (``Eye drops`` is a medicine), no negation, nothing
    named, and never a line that starts a new part (``then Inhaler``, ``plus 20 mg``)."""
    lowered = clean(line).lower().strip()
    words = normalize(lowered).split()
    if not words or lowered.startswith(_WITH_CONTINUATION) or _negated(lowered) or _form_only(line):
        return False
    if not _continues(line, "with"):
        return False
    rest = normalize(_rx("spans").sub(" ", lowered)).split()
    if any(w in _FORMS and w not in _DOSING_UNITS for w in rest):
        return False
    if above is not None:
        # a sig of another form than the line above ("1 patch every 72 hours", "Inject 10 units at bedtime" under a
        # capsule): never its field, counted forms and form verbs included (hostile 8 C1); a tablet count is any line's
        theirs = {_form_family(w) for w in normalize(clean(above).lower()).split()}
        if any(_form_family(w) not in (None, "oral") and _form_family(w) not in theirs for w in words):
            return False
    if words[0] in _SIG_VERBS:
        ok = len(words) > 1
    else:
        ok = bool(re.search(r"\d", lowered)) or any(w in _WHEN_WORDS for w in words)
    return ok and not (known is not None and known(line))


def _is_field(line: str, kind: Optional[str], known: Optional[Callable[[str], bool]], headed: bool,
              above: str = "") -> bool:
    """A line that is clearly a field of the medicine above: a start date, a heading word alone; under a
    medication table heading also a sig (``_instruction``), a bare quantity (``90 tablet``, ``30``) or a refill
    count. Never a line that would be "not recognized" on its own for any other reason: form words alone
    (``Eye drops``, ``Injection``, ``then Inhaler``) are a medicine of their own (hostile 7 C1)."""
    lowered = clean(line).lower().strip()
    if _started_only(lowered):
        return not (known is not None and known(line))
    if kind == "history":
        return False
    if normalize(lowered) in _HEADER_CELLS:
        return True
    if not headed:
        # without a table heading only a heading word alone ("Sig", "Refill"): a line with an amount or a time in
        # it ("90 tablet", "20 mg at night") may be the rest of a baclofen line further up, so it stays an item of
        # its own, which keeps that baclofen total unread (check.py: a dose fragment)
        return False
    if _form_only(line) or _negated(lowered):
        return False
    if _REFILL_FIELD.fullmatch(lowered) or _bare_quantity(lowered, above):
        return True
    return _instruction(line, known, above)


def _fits(label: str, cell: str, above: str) -> bool:
    """A cell fits its column: Sig an instruction, Dispense or Quantity a bare quantity, Refill a bare count,
    Start date a date (hostile 7 C3)."""
    key = normalize(label)
    lowered = clean(cell).lower().strip()
    if key == "sig":
        return _instruction(cell, None, above)
    if key in ("dispense", "disp", "quantity", "qty"):
        return _bare_quantity(lowered, above)
    if key in ("refill", "refills"):
        return re.fullmatch(r"\d{1,3}", lowered) is not None
    if key == "start date":
        return _started_only(f"start date: {lowered}")
    return False


def _labelled(first: str, labels: Sequence[str], cells: Sequence[str]) -> str:
    """A table row as one item: its cells with their column labels when every cell fits its label; else the
    cells as they are, unlabelled, so the usual rules read them (a dose nobody can place stays unread)."""
    pairs = [(label, cell) for label, cell in zip(labels, cells, strict=True) if cell]
    if all(_fits(label, cell, first) for label, cell in pairs):
        return first + "".join(f", {label}: {cell}" for label, cell in pairs)
    return ", ".join([first, *(cell for _, cell in pairs)])


def split_value(value: str, kind: Optional[str] = None, known: Optional[Callable[[str], bool]] = None) -> List[str]:
    """One value into items. A value of several lines (``--with "$(cat list.txt)"``) is split into its
    lines and nothing else, as a list file is: one EHR line, commas and all, is one item. A value of one
    line is split at commas, except a thousands separator (``1,000 units``) and a comma inside brackets
    (``lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet``); a piece that is only dose and instruction words
    (``..., 1 tab three times daily``) or, for conditions, an ICD-10-CM style continuation (``..., stage
    4 (severe)``) belongs to the item before it, unless ``known`` says the piece names something itself
    (``One A Day``, ``chronic kidney disease``)."""
    lines = split_lines(value)
    if len(lines) > 1:
        return attach_fields(lines, kind, known)
    pieces = _comma_pieces(value) if "," in value else [value]
    items: List[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if items and not (kind != "history" and _form_only(piece)) and (_continues(piece, kind, strong=True)
                      or ((_continues(piece, kind) or _after_baclofen(items[-1], piece, kind))
                          and not (known is not None and known(piece)))):
            items[-1] = f"{items[-1]}, {piece}"
        else:
            items.append(piece)
    return items


def _after_baclofen(item: str, piece: str, kind: Optional[str]) -> bool:
    """A piece after a baclofen line that names no medicine goes on with that line, whatever its words ("...,
    with an extra 20 mg at bedtime", "..., may take another", "..., double dose on bad days"): its dose is then
    read whole or not at all, never as the part before the comma (clinical rounds G and H)."""
    return kind != "history" and bool(_BACLOFEN_NAMES.search(item)) and not _BACLOFEN_NAMES.search(piece)


MAX_BRACKET_CHARS = 80
"""Brackets of brand names or a note are short: ``(PRINIVIL,ZESTRIL)``, ``[Roxicodone, Oxaydo]``."""


def _comma_pieces(line: str) -> List[str]:
    """A line cut at its commas, except a thousands separator (``1,000``) and a comma inside a closed pair of
    brackets (``(PRINIVIL,ZESTRIL)``). A bracket never closed, or longer than ``MAX_BRACKET_CHARS``, protects
    nothing: a list of medicines is never joined into one item too long to read."""
    open_commas: List[Tuple[str, int, List[int]]] = []
    protected: set[int] = set()
    cuts: List[int] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for at, char in enumerate(line):
        if char in "([{":
            open_commas.append((char, at, []))
        elif char in pairs:
            if open_commas and open_commas[-1][0] == pairs[char]:
                _, opened, commas = open_commas.pop()
                inside = re.split(r",", line[opened + 1:at])
                # brand names in brackets are one word each ("(PRINIVIL,ZESTRIL)", "[Roxicodone, Oxaydo]"); a note
                # with phrases in it ("(held, on diazepam)") is cut as usual, so no medicine hides in it (hostile 6)
                if at - opened <= MAX_BRACKET_CHARS and all(len(part.split()) <= 1 for part in inside):
                    protected.update(commas)
        elif char == ",":
            if open_commas:
                open_commas[-1][2].append(at)
            if not (at and line[at - 1].isdigit() and re.match(r"\d{3}(?!\d)", line[at + 1:at + 5])):
                cuts.append(at)
    pieces, start = [], 0
    for at in cuts:
        if at not in protected:
            pieces.append(line[start:at])
            start = at + 1
    pieces.append(line[start:])
    return pieces


def _continues(piece: str, kind: Optional[str], strong: bool = False) -> bool:
    if len(piece) > MAX_ITEM_CHARS:
        return False  # never read: an item of its own, not checked
    if strong and kind != "history":
        return False  # only conditions have continuations strong enough to join whatever they say
    lowered = clean(piece).lower().strip()
    if kind == "history":
        if re.fullmatch(r"(?:19|20)\d\d", lowered) or _started_only(lowered):
            return True  # "previous peptic ulcer, 2026", "CVA, Start date: 2019-01-01": when, as "CVA (2019)" says it
        return lowered.startswith(_CONTINUATION if strong else _CONTINUATION + _WEAK_CONTINUATION)
    if strong:
        return False
    if kind == "with" or kind is None:
        if lowered.startswith(_WITH_CONTINUATION):
            return True
        rest = _rx("spans").sub(" ", _TAKING_DIFFERENTLY.sub(" ", lowered) if "differently" in lowered else lowered)
        words = normalize(rest).split()
        if not words and lowered:
            return bool(re.search(r"\d", lowered))
        if not words:
            return False
        indication = False
        i = 0
        while i < len(words):
            word = words[i]
            if word in ("for", "prn"):
                indication = True
            elif indication and _drug_named_condition(words, i, None) is not None:
                i = _drug_named_condition(words, i, None) or i + 1
                continue
            elif not ((indication and word in _INDICATIONS) or _is_vocab(word) or word.isdigit()):
                return False
            i += 1
        return True
    return False
