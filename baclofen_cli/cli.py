"""The ``baclo`` command line: thin Typer commands over knowledge -> resolve -> check -> render.

Only Typer is imported at start-up; each command imports the layers it needs, so
``baclo --version`` and ``--help`` never load the knowledge file or Rich.
No ``from __future__ import annotations`` here: Typer reads every command's
annotations at start-up, and real objects cost it less than strings to evaluate.
"""

import errno
import io
import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NoReturn, Optional, Tuple

import typer

from baclofen_cli import __version__
from baclofen_cli.errors import (
    EXIT_FLAGGED,
    EXIT_FLAGGED_AND_NOT_CHECKED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NOT_RECOGNIZED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_USAGE,
    BacloError,
)

if TYPE_CHECKING:
    from baclofen_cli.knowledge.model import Knowledge
    from baclofen_cli.record import Record

EXIT_CODES_HELP = (
    f"Exit status: {EXIT_OK} every item recognized and nothing flagged; {EXIT_FLAGGED} something "
    f"flagged (at or above --fail-on); {EXIT_USAGE} usage error or invalid knowledge file; "
    f"{EXIT_NOT_RECOGNIZED} at least one item not recognized and nothing flagged (the rest is still reported); "
    f"{EXIT_FLAGGED_AND_NOT_CHECKED} something flagged AND some item not recognized."
)

SHORT_HELP = """\
baclo: an offline reference and interaction checker for baclofen.

  baclo info                         overview: what it is, key warnings, how it is dosed
  baclo info dosing                  one section (baclo sections lists them)
  baclo side-effects --serious       side effects with frequency and source
  baclo interactions opioids         an interacting class: members, effect, advice
  baclo check --with opioids --history kidney
                                     screen co-medications and conditions
  baclo search seizures              search everything baclo knows
  baclo screen patients.csv          screen a whole patient list (CSV, TSV, JSON Lines)

Every command takes --json. More: baclo --help, baclo COMMAND --help.
Informational only: not a substitute for a prescriber's or pharmacist's advice.
"""

class _Command(typer.core.TyperCommand):
    """Usage lines show a required argument as ``FILE``, not Typer's ``{FILE}``."""

    def collect_usage_pieces(self, ctx: Any) -> List[str]:
        return [p.replace("{", "").replace("}", "") for p in super().collect_usage_pieces(ctx)]

    def parse_args(self, ctx: Any, args: List[str]) -> List[str]:
        try:
            return list(super().parse_args(ctx, args))
        except typer.BadParameter as e:
            # "--format xml": name the formats this command offers (its metavar), not every format there is
            param = getattr(e, "param", None)
            if param is not None and param.name == "output_format" and isinstance(param.metavar, str):
                import re

                given = re.search(r"^'(.*)' is not one of", str(e.message))
                offered = param.metavar.split("|")
                e.message = (f"{given.group(1)!r} is not one of " if given else "choose ") + \
                    " or ".join((", ".join(offered[:-1]), offered[-1])) + "."
            raise


APP_SETTINGS: Dict[str, Any] = {
    "name": "baclo",
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"], "max_content_width": 100},
}
app = typer.Typer(**APP_SETTINGS)
command = app.command


class Audience(str, Enum):
    professional = "professional"
    patient = "patient"


class Grade(str, Enum):
    contraindicated = "contraindicated"
    major = "major"
    moderate = "moderate"
    minor = "minor"


class InputFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    jsonl = "jsonl"


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    fhir = "fhir"


# ---------------------------------------------------------------- helpers


def _clean(text: str) -> str:
    """Arguments that were not valid UTF-8 arrive with surrogate escapes; show them as U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte stands for: show it escaped
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"baclo: error: {_visible(message)}", err=True)
    raise typer.Exit(code)


def _knowledge(ctx: typer.Context) -> "Knowledge":
    from baclofen_cli.knowledge import load_knowledge

    path = (ctx.obj or {}).get("data") if ctx.obj else None
    try:
        return load_knowledge(path)
    except BacloError as e:
        fail(e.message, e.exit_code)


def _plain_output() -> bool:
    """Plain text unless stdout is a terminal (or FORCE_COLOR asks for styling) and colour is allowed."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return True
    if os.environ.get("FORCE_COLOR"):
        return False
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):
        return True


def _width() -> int:
    """The plain-text width: ``COLUMNS`` clamped to 20..500; else the terminal's; else 100."""
    from baclofen_cli.render.safe import columns

    if os.environ.get("COLUMNS"):
        return columns(os.environ.get("COLUMNS"))
    try:
        return columns(str(os.get_terminal_size(sys.stdout.fileno()).columns))
    except (OSError, ValueError, AttributeError):
        return columns(None)


def _format(output_format: "OutputFormat", json: bool) -> str:
    return "json" if json else output_format.value

def _emit(fmt: str, page: Any, code: int = EXIT_OK, pager: bool = False) -> NoReturn:
    """Write one page (see ``render.pages``) in the chosen format, then exit with ``code``.

    A format the page does not have is a usage error. ``pager`` sends a long text page through
    the pager when standard output is a terminal. A reader that closes the pipe early
    (``| head -1``) ends the output quietly, with the status the result calls for;
    any other failure to write (a full disk, a closed descriptor) is one line on
    standard error and exit status 74.
    """
    from baclofen_cli.render import TextOptions, UnsupportedFormat, emit

    plain = _plain_output()
    pager_cmd = None
    if pager and fmt == "text" and _is_tty(sys.stdout):
        from baclofen_cli.render.pager import pager_command

        pager_cmd = pager_command()
    try:
        emit(page, fmt, sys.stdout, TextOptions(plain, _width(), pager_cmd))
        sys.stdout.flush()
    except UnsupportedFormat as e:
        fail(str(e))
    except BrokenPipeError:
        _silence_stdout()
    except OSError as e:
        _output_failed(e)
        code = EXIT_OUTPUT
    raise typer.Exit(code)


def _output_failed(error: OSError) -> None:
    """Standard output cannot be written (full disk, closed descriptor): one line on stderr, then exit 74."""
    _silence_stdout()
    reason = error.strerror or type(error).__name__
    try:
        sys.stderr.write(f"baclo: error: cannot write the output: {reason}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version(value: bool) -> None:
    if value:
        typer.echo(f"baclo {__version__}")
        raise typer.Exit()


# ---------------------------------------------------------------- completion
# Read from the knowledge file's compiled cache: a Tab press costs one cache read.


def _complete_from(ctx: typer.Context, incomplete: str, names: List[str]) -> List[str]:
    """Names starting with ``incomplete``, case ignored ("tylenol" completes Tylenol). Each keeps what was
    typed as its start: Typer passes on only completions that start with it, as the shell needs."""
    low = incomplete.casefold()
    found = sorted({n for n in names if n.casefold().startswith(low)}, key=str.casefold)[:200]
    return list(dict.fromkeys(incomplete + n[len(incomplete):] for n in found))


def _complete_section(ctx: typer.Context, incomplete: str) -> List[str]:
    try:
        k = _knowledge_quiet(ctx)
        names = [s.id for s in k.sections] + [c.id for c in k.cautions] + ["missed-dose"]
        names += [a for s in k.sections for a in s.aliases if " " not in a]
        return _complete_from(ctx, incomplete, names)
    except Exception:  # noqa: BLE001 - completion must never print a traceback
        return []


def _complete_medicine(ctx: typer.Context, incomplete: str) -> List[str]:
    try:
        k = _knowledge_quiet(ctx)
        last = incomplete.rsplit(",", 1)
        if len(last) == 2:  # "oxycodone, tyl": complete the last name, keeping the text before it as typed
            word = last[1].lstrip()
            prefix = incomplete[:len(incomplete) - len(word)]
        else:
            prefix, word = "", incomplete
        names = [c.id for c in k.interactions]  # nothing typed yet: the classes, not 200 names from "222s"
        if word:
            names += [t[2] for t in k.medication_names.values()]
        return [prefix + n for n in _complete_from(ctx, word, names)]
    except Exception:  # noqa: BLE001
        return []


def _complete_country(ctx: typer.Context, incomplete: str) -> List[str]:
    """The countries whose labels baclo knows (us, uk, ca)."""
    return [c for c in ("us", "uk", "ca") if c.startswith(incomplete.casefold())]


def _complete_condition(ctx: typer.Context, incomplete: str) -> List[str]:
    try:
        k = _knowledge_quiet(ctx)
        names = [t[2] for t in k.condition_names.values()] + [a for c in k.cautions for a in c.aliases]
        return _complete_from(ctx, incomplete, names)
    except Exception:  # noqa: BLE001
        return []


def _knowledge_quiet(ctx: typer.Context) -> "Knowledge":
    from baclofen_cli.knowledge import load_knowledge

    root = ctx.find_root()
    path = (root.params or {}).get("data") if root else None
    return load_knowledge(path or os.environ.get("BACLO_DATA") or None)


JSON_OPTION = typer.Option(False, "--json", help="Shorthand for --format json (keys documented in the README).")
FORMAT_OPTION = typer.Option(OutputFormat.text, "--format", case_sensitive=False, metavar="text|json",
                             help="Output format.")
AUDIENCE_OPTION = typer.Option(Audience.professional, "--audience", case_sensitive=False,
                               metavar="professional|patient",
                               help="Wording for professionals (the default) or for patients and carers.")
SOURCES_OPTION = typer.Option(False, "--sources", help="With --audience patient: show the source tags too.")
NO_PAGER_OPTION = typer.Option(False, "--no-pager", help="On a terminal, print straight out rather than through "
                               "the pager (BACLO_PAGER, else PAGER, else less; never when piped).")
NO_PAGER_ACCEPTED = typer.Option(False, "--no-pager", help="Accepted on every page command, for scripts; this "
                                 "page is short and never paged.")
COUNTRY_OPTION = typer.Option(None, "--country", metavar="us|uk|ca", envvar="BACLO_COUNTRY",
                              autocompletion=_complete_country,
                              help="Lead with this country's maximum daily dose (env BACLO_COUNTRY).")
FAIL_ON_OPTION = typer.Option(Grade.minor, "--fail-on", case_sensitive=False,
                              metavar="contraindicated|major|moderate|minor",
                              help="Lowest grade that makes the exit status 1.")


# ---------------------------------------------------------------- commands


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    data: Optional[str] = typer.Option(
        None, "--data", envvar="BACLO_DATA", metavar="PATH",
        help="Use another knowledge file of the same schema (also BACLO_DATA).",
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Offline reference and interaction checker for baclofen. Informational only.

    \b
    Examples:
      baclo info                                 one screen: what it is, key warnings, dosing
      baclo info pregnancy                       a topic (kidney, overdose, missed dose...)
      baclo interactions Percocet                what a medicine does with baclofen
      baclo check -w opioids -H kidney           check medicines and conditions
      baclo search "too much"                    search everything baclo knows

    Every command takes -h, --format text|json (--json) and, where it shows clinical
    text, --audience patient.
    """
    ctx.obj = {"data": _clean(data) if data else None}
    if ctx.invoked_subcommand is None:
        typer.echo(SHORT_HELP, nl=False)
        raise typer.Exit(EXIT_OK)


@command(cls=_Command)
def info(
    ctx: typer.Context,
    words: Optional[List[str]] = typer.Argument(None, metavar="[TOPIC]", autocompletion=_complete_section,
                                                help="A section or topic: name, alias or unambiguous prefix "
                                                     "(several words need no quotes: baclo info missed dose)."),
    all_: bool = typer.Option(False, "--all", help="Every section (through a pager on a terminal)."),
    no_pager: bool = typer.Option(False, "--no-pager", help="With --all: print straight to the terminal."),
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    country: Optional[str] = COUNTRY_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Overview of baclofen (one screen), one section or topic, or everything (--all).

    \b
    Examples:
      baclo info                        what it is, key warnings, how it is dosed
      baclo info dosing                 one section (baclo sections lists them)
      baclo info pregnancy              a topic: kidney, breastfeeding, overdose, missed dose...
      baclo info --audience patient     the overview in plain words
      baclo info --all                  everything, through a pager (BACLO_PAGER or PAGER; --no-pager)
    """
    from baclofen_cli.render import pages

    k = _knowledge(ctx)
    fmt = _format(output_format, json)
    who = audience.value
    name = " ".join(words) if words else None  # baclo info missed dose == baclo info "missed dose"
    where = _country(country)
    if all_ and name:
        fail("give a TOPIC or --all, not both")
    if all_:
        _emit(fmt, pages.Everything(k, who, sources_, where), pager=not no_pager)
    if name is None:
        _emit(fmt, pages.Overview(k, who, sources_, where))
    from baclofen_cli.topics import find_topic

    if not name.strip():
        fail("the TOPIC is empty: give a section or topic name (baclo sections lists them), or leave it out")
    found = find_topic(k, _clean(name))
    if found.section_id:
        _emit(fmt, pages.SectionPage(k, found.section_id, who, sources_, where))
    if found.topic is not None:
        _emit(fmt, pages.TopicPage(k, found.topic.title, found.topic.caution_ids, found.topic.entries, who, sources_))
    from baclofen_cli.topics import EXAMPLES

    asked = _clean(name)
    if found.medicine:  # "info alcohol": the answer is the interactions page for it, as baclo interactions gives
        _emit(fmt, _interaction_page(k, asked, who, sources_, fmt))
    if found.mentions:
        where = "; ".join(f"{w} ({command})" for w, command in found.mentions)
        fail(f"no section or topic named {asked!r}, but it is mentioned in: {where}. "
             f"Every mention: baclo search {_quote(asked)}")
    hint = f" Did you mean: {', '.join(found.candidates)}?" if found.candidates else ""
    fail(f"no section or topic named {asked!r}.{hint} Sections: {', '.join(s.id for s in k.sections)}. "
         f"Topics: {', '.join(EXAMPLES)}, or any condition in baclo cautions. Or search: baclo search {_quote(asked)}")


def _country(value: Optional[str]) -> Optional[str]:
    """--country or BACLO_COUNTRY: us, uk (gb) or ca; empty means none."""
    country = value.strip().lower() if value else None
    if country == "gb":
        country = "uk"
    if country and country not in ("us", "uk", "ca"):
        fail(f"--country (or BACLO_COUNTRY) must be us, uk or ca, not {country!r}")
    return country or None


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


@command(cls=_Command)
def sections(ctx: typer.Context, output_format: OutputFormat = FORMAT_OPTION, json: bool = JSON_OPTION,
             no_pager: bool = NO_PAGER_ACCEPTED) -> None:
    """List the sections that 'baclo info SECTION' shows.

    \b
    Examples:
      baclo sections
      baclo sections --json
    """
    from baclofen_cli.render import pages

    _emit(_format(output_format, json), pages.SectionList(_knowledge(ctx)))


@command("side-effects", cls=_Command)
def side_effects(
    ctx: typer.Context,
    common: bool = typer.Option(False, "--common", help="Common side effects."),
    serious: bool = typer.Option(False, "--serious", help="Serious side effects."),
    rare: bool = typer.Option(False, "--rare", help="Rare side effects."),
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
    no_pager: bool = NO_PAGER_OPTION,
) -> None:
    """Side effects with frequency and source. Filters add up: --common --serious shows both groups.

    \b
    Examples:
      baclo side-effects                      all of them
      baclo side-effects --serious            the serious ones only
      baclo side-effects --common --serious   common ones and serious ones (both groups)
      baclo side-effects --audience patient   in plain words
    """
    from baclofen_cli.render import pages

    groups = tuple(g for g, on in (("common", common), ("serious", serious), ("rare", rare)) if on)
    _emit(_format(output_format, json), pages.SideEffects(_knowledge(ctx), groups, audience.value, sources_),
          pager=not no_pager)


@command(cls=_Command)
def interactions(
    ctx: typer.Context,
    words: Optional[List[str]] = typer.Argument(None, metavar="[NAME]", autocompletion=_complete_medicine,
                                                help="A class (opioids), a medicine (oxycodone) or a brand or "
                                                     "product (Percocet); several words need no quotes."),
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
    no_pager: bool = NO_PAGER_OPTION,
) -> None:
    """Interacting classes, most severe first; with NAME, what it does with baclofen.

    Any name that 'baclo check' recognizes works. A medicine with no known interaction
    is an answer (exit status 0), not an error; a name not recognized, or only partly
    read, is not checked (exit status 3).

    \b
    Examples:
      baclo interactions                    every class, sorted by grade
      baclo interactions opioids            one class: members, effect, advice
      baclo interactions Percocet           a product: the classes of its ingredients
      baclo interactions Tylenol            no known interaction: said so, exit status 0
    """
    from baclofen_cli.render import pages

    k = _knowledge(ctx)
    fmt = _format(output_format, json)
    name = " ".join(words) if words else None  # baclo interactions sleeping pills == "sleeping pills"
    if name is None:
        _emit(fmt, pages.InteractionList(k, audience.value, sources_), pager=not no_pager)
    _emit(fmt, _interaction_page(k, _clean(name), audience.value, sources_, fmt), pager=not no_pager)


def _interaction_page(k: "Knowledge", name: str, audience: str, show_sources: bool, fmt: str = "text") -> Any:
    """The page for ``interactions NAME``: its classes, or "no known interaction"."""
    from baclofen_cli.render import pages
    from baclofen_cli.resolve import WITH, Resolver

    res = Resolver(k).resolve(name, WITH)
    if res.recognized and res.unaccounted:
        # "Tylenol xyzzy", "Tylenol РМ": never answered by the part that was read (a different product may be meant)
        read = ", ".join(dict.fromkeys(t.display for t in res.targets))
        message = (f"{name!r} was only partly read (as {read}); not understood: {', '.join(res.unaccounted)}. "
                   f"It is not checked. Name one medicine exactly, or check the whole line: "
                   f"baclo check -w {_quote(name)}")
        _not_checked_json(k, fmt, name, res, message)
        fail(message, EXIT_NOT_RECOGNIZED)
    classes: List[str] = []
    via: List[str] = []
    drugs: List[str] = []
    word: Optional[str] = None
    itself: List[Tuple[str, str]] = []  # baclofen itself (Lioresal): the medicine being checked, not "no interaction"
    for target in res.targets:
        if target.kind == "baclofen" or (target.kind == "drug" and target.ref == "baclofen"):
            itself.append((target.display, target.ref if target.kind == "baclofen" else "oral"))
            continue
        if target.kind == "class":
            classes.append(target.ref)
            continue
        if target.kind == "class-word":  # a vague word: every class it can mean, the strictest first
            from baclofen_cli.knowledge.model import GRADE_RANK

            word = target.ref
            meant = [k.classes_by_id[c] for c in k.class_words_by_name[word].classes]
            classes.extend(c.id for c in sorted(meant, key=lambda c: -GRADE_RANK[c.grade]))
            continue
        ingredients = k.products_by_name[target.ref].ingredients if target.kind == "product" else (target.ref,)
        if target.kind == "product":
            via.append(f"{target.display} contains {' + '.join(ingredients)}")
        for drug in ingredients:
            drugs.append(drug)
            if drug in k.members_by_name:
                cls = k.members_by_name[drug][0]
                classes.append(cls.id)
                # the whole name when it names one thing ("co-codamol 30/500"), else the part that led here
                said = name if len({t.display for t in res.targets}) == 1 else target.display
                if target.kind == "drug" and drug.casefold() != said.casefold():
                    # a combination's name (co-codamol) resolves to each of its ingredients: name them all
                    same = [t.ref for t in res.targets if t.kind == "drug" and t.display == target.display]
                    # "Neurontin is gabapentin", but "gabapentin 300 mg TID is read as gabapentin"
                    verb = "is read as" if said.casefold() != target.display.casefold() or \
                        drug.casefold() in said.casefold() else "is"
                    via.append(f"{said} contains {' + '.join(same)}" if len(same) > 1 else f"{said} {verb} {drug}")
    classes = list(dict.fromkeys(classes))
    if classes:
        from baclofen_cli.knowledge.model import GRADE_RANK

        def strictest(class_id: str) -> int:  # a class by the strictest grade it has for the medicines asked
            cls = k.classes_by_id[class_id]
            own = [m[1].grade or cls.grade for m in (k.members_by_name.get(d) for d in drugs)
                   if m is not None and m[0].id == class_id]
            return max((GRADE_RANK[g] for g in own or [cls.grade]), default=0)

        if word is None:  # a vague word keeps its own order (strictest first, as it is graded)
            classes.sort(key=lambda c: -strictest(c))
        together: Tuple[Any, ...] = ()
        if len(set(drugs)) > 1:  # several medicines at once (a product, a list): what check grades together
            from baclofen_cli.api import check_record
            from baclofen_cli.record import Record

            found = check_record(k, Record(medications=(name,)), audience=audience).findings
            together = tuple(sorted((f for f in found if f.kind == "combination"),
                                    key=lambda f: -GRADE_RANK[f.severity]))
        return pages.InteractionClassPage(k, tuple(classes), name, tuple(dict.fromkeys(via)), audience, show_sources,
                                          tuple(dict.fromkeys(drugs)), word, tuple(itself), together)
    if itself:
        others = [t.display for t in res.targets if t.kind != "baclofen" and t.ref != "baclofen"]
        return pages.BaclofenItselfPage(k, name, tuple(itself), tuple(dict.fromkeys(others)), audience, show_sources)
    if res.recognized:
        return pages.NoInteractionPage(k, name, tuple(dict.fromkeys(drugs or [t.display for t in res.targets])),
                                       audience, show_sources)
    if res.hint and "condition" in res.hint:
        fail(f"{name!r} is a condition, not a medicine: baclo info {_quote(name)} shows what it means for baclofen")
    hint = f" Did you mean: {', '.join(res.suggestions)}?" if res.suggestions else ""
    message = f"no interaction class or medicine named {name!r}.{hint}"
    _not_checked_json(k, fmt, name, res, message)
    fail(f"{message} Classes: {', '.join(c.id for c in k.interactions)}.", EXIT_NOT_RECOGNIZED)


def _not_checked_json(k: "Knowledge", fmt: str, name: str, res: Any, message: str) -> None:
    """With --json, a name not (fully) recognized still gets an answer a script can read, on standard
    output, before the error line and exit status 3 (not checked, as ``check`` uses it)."""
    if fmt != "json":
        return
    import json as json_module

    from baclofen_cli.render.json_out import envelope

    sys.stdout.write(json_module.dumps(envelope(
        k, asked=name, checked=False, recognized=bool(res.targets), read_as=[t.display for t in res.targets],
        unaccounted=list(res.unaccounted), known_interaction=None, suggestions=list(res.suggestions),
        error=message), indent=2) + "\n")
    sys.stdout.flush()


@command(cls=_Command)
def cautions(
    ctx: typer.Context,
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
    no_pager: bool = NO_PAGER_OPTION,
    all_names: bool = typer.Option(False, "--all-names", help="Every other name of each condition (the "
                                   "longest lists are shortened otherwise; --json always has them all)."),
) -> None:
    """Conditions to take care with, graded (contraindicated, major, moderate, minor).

    \b
    Examples:
      baclo cautions
      baclo cautions --audience patient
      baclo info kidney                     one condition in full
    """
    from baclofen_cli.render import pages

    _emit(_format(output_format, json), pages.CautionsPage(_knowledge(ctx), audience.value, sources_, all_names),
          pager=not no_pager)


@command(cls=_Command)
def dose(
    ctx: typer.Context,
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    country: Optional[str] = COUNTRY_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
    no_pager: bool = NO_PAGER_ACCEPTED,
) -> None:
    """The titration schedule, maximum daily dose, stopping, and kidney, elderly and child notes.

    \b
    Examples:
      baclo dose
      baclo dose --audience patient
      baclo dose --country uk               lead with the UK maximum (or BACLO_COUNTRY=uk)
      baclo check --daily-dose 90           check one daily dose against the limits
    """
    from baclofen_cli.render import pages

    _emit(_format(output_format, json), pages.DosePage(_knowledge(ctx), audience.value, sources_, _country(country)))


@command(cls=_Command)
def faq(
    ctx: typer.Context,
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
    no_pager: bool = NO_PAGER_ACCEPTED,
) -> None:
    """The article's frequently asked questions, answered with sources.

    \b
    Examples:
      baclo faq
      baclo faq --json
    """
    from baclofen_cli.render import pages

    _emit(_format(output_format, json), pages.FaqPage(_knowledge(ctx), audience.value, sources_))


@command(cls=_Command)
def sources(ctx: typer.Context, output_format: OutputFormat = FORMAT_OPTION, json: bool = JSON_OPTION,
            no_pager: bool = NO_PAGER_OPTION) -> None:
    """Every source the knowledge file cites: tag, citation, and link, date and version where known.

    \b
    Examples:
      baclo sources
      baclo sources --json
    """
    from baclofen_cli.render import pages

    _emit(_format(output_format, json), pages.SourcesPage(_knowledge(ctx)), pager=not no_pager)


@command(cls=_Command)
def search(
    ctx: typer.Context,
    words: List[str] = typer.Argument(..., metavar="WORDS",
                                      help="Words to look for (case is ignored; several words need no quotes)."),
    audience: Audience = AUDIENCE_OPTION,
    output_format: OutputFormat = FORMAT_OPTION,
    json: bool = JSON_OPTION,
    no_pager: bool = NO_PAGER_ACCEPTED,
) -> None:
    """Search everything baclo knows, by words; titles first. Exit status 1 when nothing matches.

    Matches whole words and their forms (seizure, seizures; drowsy, drowsiness), and everyday
    words for the file's terms (pregnant, poisoning, too much, feeling sick). Each hit names
    the command that shows it. With --audience patient, searches the patient wording.

    \b
    Examples:
      baclo search seizures
      baclo search too much
      baclo search feeling sick --audience patient
    """
    from baclofen_cli.render import pages
    from baclofen_cli.search import search as run_search

    k = _knowledge(ctx)
    query = _clean(" ".join(words))  # baclo search too much == baclo search "too much"
    if not query.strip():
        fail("the search text is empty")
    patient = audience.value == "patient"
    hits = tuple(run_search(k, query, patient=patient)) or _name_hits(k, query)
    typed = ""
    if not hits:  # a misspelling ("pregnacy"): the closest words the file uses, said as a correction
        from baclofen_cli.search import corrected

        better = corrected(k, query, patient=patient)
        if better is not None:
            typed, query = query, better
            hits = tuple(run_search(k, query, patient=patient))
    _emit(_format(output_format, json), pages.SearchPage(k, query, hits, typed),
          code=EXIT_OK if hits else EXIT_FLAGGED)


def _name_hits(k: Any, query: str) -> Tuple[Tuple[str, str, str, str], ...]:
    """No text mentions the query, but it may be a name ``check`` reads ("marijuana", "Tylenol PM"):
    point to the command that answers for it, never "no entry" for a medicine baclo knows (new-user trial 3)."""
    from baclofen_cli.resolve import HISTORY, WITH, Resolver

    resolver = Resolver(k, suggest=False)
    for kind, command in ((WITH, "baclo interactions"), (HISTORY, "baclo check -H")):
        res = resolver.resolve(query, kind)
        if res.complete:
            names = ", ".join(dict.fromkeys(t.ref.replace("-", " ") for t in res.targets))
            what = "a name baclo reads as" if kind == WITH else "a condition baclo reads as"
            return ((query, f"{query} is {what} {names}; no text mentions the word itself.", "",
                     f"{command} {_shell_quote(query)}"),)
    return ()


def _shell_quote(text: str) -> str:
    import shlex  # deferred: only a search that falls back to names needs it

    return shlex.quote(text)


def _file_items(text: str) -> List[str]:
    """The items of a list file: one per non-blank line, trimmed, commas kept (as a value of several lines
    given with --with is split)."""
    from baclofen_cli.lines import split_lines

    return split_lines(_clean(text))


def _read_list(option: str, path: str) -> str:
    """A list file's text (UTF-8, with or without a BOM), or standard input for ``-``."""
    if path == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
        shown = "standard input"
    else:
        import stat

        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):
                fail(f"{option}: {path} is not a regular file")
            if info.st_size > 10_000_000:
                fail(f"{option}: {path} is larger than 10 MB")
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            fail(f"{option}: cannot read {path}: {e.strerror or e}")
        shown = path
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        fail(f"{option}: {shown} is not valid UTF-8 (byte {e.start})")
    if "\x00" in text:
        fail(f"{option}: {shown} is not a text file")
    return text


@command(cls=_Command, epilog=EXIT_CODES_HELP)
def check(
    ctx: typer.Context,
    with_: List[str] = typer.Option(
        [], "--with", "-w", metavar="MEDICINES", autocompletion=_complete_medicine,
        help="Co-medications: classes, generic or brand names, products; comma-separated; repeatable.",
    ),
    history: List[str] = typer.Option(
        [], "--history", "-H", metavar="CONDITIONS", autocompletion=_complete_condition,
        help="Conditions in the patient's history; comma-separated; repeatable.",
    ),
    with_file: Optional[str] = typer.Option(
        None, "--with-file", metavar="FILE",
        help="Read co-medications from a file, one per line (- reads standard input).",
    ),
    history_file: Optional[str] = typer.Option(
        None, "--history-file", metavar="FILE",
        help="Read conditions from a file, one per line (- reads standard input).",
    ),
    history_c: List[str] = typer.Option([], "-c", hidden=True, help="Old short form of --history."),
    fhir: Optional[str] = typer.Option(
        None, "--fhir", metavar="FILE",
        help="Also check one patient's FHIR R4 Bundle or resource (JSON; - reads standard input): medicines, "
             "conditions, allergies to baclofen, eGFR and creatinine clearance, at any depth.",
    ),
    daily_dose: Optional[str] = typer.Option(
        None, "--daily-dose", metavar="MG",
        help="Total baclofen per day in mg (60, 60 mg or 60mg), checked against the labelled limits.",
    ),
    egfr: Optional[float] = typer.Option(None, "--egfr", metavar="ML_MIN",
                                         help="eGFR in mL/min/1.73 m2: grades the dose check by kidney function."),
    crcl: Optional[float] = typer.Option(None, "--crcl", metavar="ML_MIN",
                                         help="Creatinine clearance in mL/min: grades the dose check by kidney function."),
    country: Optional[str] = typer.Option(
        None, "--country", metavar="us|uk|ca", envvar="BACLO_COUNTRY", autocompletion=_complete_country,
        help="Grade the maximum daily dose by this country's label (default: the strictest; env BACLO_COUNTRY).",
    ),
    audience: Audience = AUDIENCE_OPTION,
    sources_: bool = SOURCES_OPTION,
    brief: bool = typer.Option(False, "--brief", help="One line per finding (for people who know the drug)."),
    fail_on: Grade = FAIL_ON_OPTION,
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", case_sensitive=False,
                                               metavar="text|json|fhir",
                                               help="text, json, or fhir (a FHIR R4 Bundle of DetectedIssue)."),
    json: bool = typer.Option(False, "--json", help="Shorthand for --format json."),
    no_pager: bool = NO_PAGER_ACCEPTED,
) -> None:
    """Check co-medications and conditions against baclofen; never a false all-clear.

    Items that are not recognized are listed as not checked, with suggestions,
    and make the exit status 3.

    \b
    Examples:
      baclo check --with opioids --history kidney
      baclo check -w "Percocet, Tylenol PM" -H "COPD, CKD" --daily-dose 60
      baclo check --with diazepam --audience patient
      baclo check --with "oxycodone, gabapentin, zolpidem" --brief
      baclo check --fhir bundle.json --format fhir
    """
    from baclofen_cli.api import check_record
    from baclofen_cli.check import exit_status
    from baclofen_cli.inputs import InputError
    from baclofen_cli.inputs.options import record_from_options
    from baclofen_cli.record import MAX_KIDNEY_FUNCTION, RenalFunction
    from baclofen_cli.resolve import HISTORY, WITH, Resolver, attach_lines, split_items

    if brief and _format(output_format, json) != "text":  # never ignored without a word
        fail(f"--brief shortens the text report only; with --{'json' if json else 'format ' + output_format.value} "
             "leave it out (that output always has every finding)")
    history = [*history, *history_c]  # -c: the old short form of --history, kept working
    try:
        record = record_from_options(with_, history, daily_dose)
    except InputError as e:
        fail(e.message, e.exit_code)
    renal = []
    for measure, value, flag in (("egfr", egfr, "--egfr"), ("crcl", crcl, "--crcl")):
        if value is not None:
            # above 200 mL/min is not a kidney function anyone measures (a typo: 900 for 90), as a condition line
            # "eGFR 900" is not read either: refused, never graded as normal (new-user round 3, L8)
            if not (0 <= value <= MAX_KIDNEY_FUNCTION):
                # the value as typed (repr keeps every digit: 200.0001, never "200"), 250.0 as 250
                shown = repr(value)[:-2] if repr(value).endswith(".0") else repr(value)
                fail(f"{flag} must be a number of mL/min from 0 to {MAX_KIDNEY_FUNCTION}, not {shown}")
            renal.append(RenalFunction(measure, value + 0.0, flag))  # -0 is 0 (+ 0.0 drops the sign of a zero)
    record = record._replace(renal=tuple(renal))
    country = _country(country)
    if [with_file, history_file, fhir].count("-") > 1:
        fail("only one of --with-file, --history-file and --fhir can read standard input (-)")
    # a list file holds one item per line, as written: EHR lines carry commas of their own
    # ("insulin glargine (LANTUS) 100 unit/mL injection, Inject 20 Units ...")
    with_lines = _file_items(_read_list("--with-file", with_file)) if with_file is not None else []
    history_lines = _file_items(_read_list("--history-file", history_file)) if history_file is not None else []
    with_values = list(with_)
    history_values = list(history)
    k = _knowledge(ctx)
    resolver = Resolver(k)
    # a list file's lines: a Sig, Dispense or Refill line, or a start date, goes with the medicine above it
    with_lines = attach_lines(with_lines, WITH, resolver) if with_lines else with_lines
    history_lines = attach_lines(history_lines, HISTORY, resolver) if history_lines else history_lines
    # items as the line reader splits them: a sig after a comma stays with its medicine
    record = record._replace(
        medications=tuple(split_items((_clean(v) for v in with_values), WITH, resolver)) + tuple(with_lines),
        conditions=tuple(split_items((_clean(v) for v in history_values), HISTORY, resolver)) + tuple(history_lines))
    with_values += with_lines
    history_values += history_lines
    if fhir is not None:
        from baclofen_cli.api import with_allergies_looked_up

        record = with_allergies_looked_up(k, _with_fhir(record, fhir))
    if record.empty:
        given = " (the values given were empty)" if with_values or history_values else ""
        if fhir is not None:
            given = " (the FHIR file names no medication, condition or kidney function"
            if record.skipped:
                given += "; skipped: " + "; ".join(f"{s.where} {s.text}: {s.reason}" for s in record.skipped)
            given += ")"
        fail(f"nothing to check{given}: give --with MEDICINES and/or --history CONDITIONS. "
             "Example: baclo check --with opioids --history kidney")
    result = check_record(k, record, audience=audience.value, country=country, resolver=resolver)
    from baclofen_cli.render.pages import CheckPage

    _emit(_format(output_format, json), CheckPage(k, result, brief, sources_), code=exit_status(result, fail_on.value))


def _with_fhir(record: "Record", path: str) -> "Record":
    """The options' record with everything a FHIR file (``-``: standard input) adds."""
    from baclofen_cli.inputs.fhir import FhirError, read_fhir

    try:
        found = read_fhir(path)
    except FhirError as e:
        fail(f"--fhir: {e.message}")
    # the reader leaves no lone surrogate in any text (such a name is not checked, shown escaped)
    return record._replace(
        medications=record.medications + found.medications, conditions=record.conditions + found.conditions,
        renal=record.renal + found.renal, patient_id=found.patient_id,
        unreadable=record.unreadable + found.unreadable, skipped=record.skipped + found.skipped,
        allergies=record.allergies + found.allergies, origins=record.origins + found.origins,
        dosages=record.dosages + found.dosages)


SCREEN_EPILOG = (
    "Row statuses: flagged (a finding; it may also have items not checked), clean (every item recognized, "
    "nothing found), not-fully-checked (nothing found, some item not recognized or not readable), "
    "nothing-to-check (the row names nothing), malformed (the row could not be read; kept with its line). "
    "Exit status: 0 every row clean; 1 a row flagged (at or above --fail-on) and every row fully checked; "
    "3 some row not fully checked, nothing-to-check or malformed, nothing flagged; 4 flagged AND something "
    "not checked; 2 usage error or unusable file (nothing written); 74 output could not be written; "
    "130 interrupted (an existing --out file is left as it was)."
)


class OutFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


@command("help", cls=_Command, hidden=True)
def help_(ctx: typer.Context,
          words: Optional[List[str]] = typer.Argument(None, metavar="[COMMAND]", help="A command to explain.")) -> None:
    """Show the help: baclo help, or baclo help COMMAND (the same as baclo COMMAND --help)."""
    root = ctx.parent if ctx.parent is not None else ctx
    if not words:
        typer.echo(root.get_help())
        raise typer.Exit(EXIT_OK)
    name = _clean(words[0])
    sub = root.command.get_command(root, name) if hasattr(root.command, "get_command") else None
    if sub is None or len(words) > 1:
        names = ", ".join(c for c in root.command.list_commands(root) if c != "help") \
            if hasattr(root.command, "list_commands") else ""
        fail(f"no command named {' '.join(words)!r}; commands: {names}")
    with sub.make_context(name, ["--help"], parent=root, resilient_parsing=True) as sub_ctx:
        typer.echo(sub.get_help(sub_ctx))
    raise typer.Exit(EXIT_OK)


@command(cls=_Command, epilog=SCREEN_EPILOG)
def screen(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE", help="CSV, TSV or JSON Lines of patients; - reads standard input."),
    format_in: Optional[InputFormat] = typer.Option(None, "--format-in", case_sensitive=False, metavar="csv|tsv|jsonl",
                                                    help="Input format (default: from the file extension, else csv)."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", metavar="CHAR",
                                            help="Field separator of a CSV file, such as ';' (default ',', tab for TSV)."),
    encoding: str = typer.Option("utf-8", "--encoding", metavar="NAME",
                                 help="Text encoding of the file (default UTF-8, with or without BOM; e.g. cp1252)."),
    id_column: Optional[str] = typer.Option(None, "--id-column", metavar="NAME",
                                            help="Column of the patient id (default: id or patient_id)."),
    medications_column: Optional[str] = typer.Option(
        None, "--medications-column", metavar="NAME",
        help="Column of medications, items separated by ; or | (default: medications or medication; - for none)."),
    conditions_column: Optional[str] = typer.Option(
        None, "--conditions-column", metavar="NAME",
        help="Column of conditions, items separated by ; or | (default: conditions or condition; - for none)."),
    dose_column: Optional[str] = typer.Option(
        None, "--dose-column", metavar="NAME",
        help="Column of the daily dose, 60 or 60 mg (default: daily_dose_mg or daily_dose; optional)."),
    out: Optional[str] = typer.Option(None, "--out", metavar="PATH",
                                      help="Write one record per input row, in input order (.csv or .jsonl; "
                                           "- for standard output, the summary then goes to standard error)."),
    out_format: Optional[OutFormat] = typer.Option(None, "--out-format", case_sensitive=False,
                                                   help="csv or jsonl for --out (default: from its name; jsonl for -)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first malformed row (exit 2, nothing written)."),
    show: int = typer.Option(20, "--show", min=0, metavar="N", help="How many flagged rows to list (the most severe first)."),
    suggest: bool = typer.Option(False, "--suggest", help="Look for spelling suggestions for unrecognized items "
                                                          "(slower; listed in the summary)."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", case_sensitive=False,
                                               metavar="text|json|fhir",
                                               help="text, json (the summary) or fhir (a Bundle per patient, JSON Lines)."),
    fail_on: Grade = FAIL_ON_OPTION,
    json: bool = typer.Option(False, "--json", help="Shorthand for --format json."),
    ignore_column: List[str] = typer.Option(
        [], "--ignore-column", metavar="NAME",
        help="A column (or JSON Lines key) that holds nothing to check; repeat for more. A column whose name "
             "looks like medicines or conditions (med..., drug..., diagnosis...) stops the run unless read or "
             "ignored."),
    jobs: Optional[int] = typer.Option(None, "--jobs", metavar="N",
                                       help="Processes to screen with (default: the machine's cores; 1 screens "
                                            "in this process). The output is the same, in input order."),
) -> None:
    """Screen a whole patient list: every row flagged, clean, not fully checked, nothing to check or malformed.

    FILE may also be a directory holding a FHIR Bulk Data export (.ndjson files, subdirectories included):
    each patient is screened like a row, and every resource is counted. Anything in it that cannot be read
    or tied to one patient makes every patient not fully checked.

    \b
    Examples:
      baclo screen patients.csv
      baclo screen patients.csv --out results.jsonl
      baclo screen export.csv --delimiter ';' --encoding cp1252
      baclo screen bulk-export-dir/ --jobs 4
      cat patients.jsonl | baclo screen - --format-in jsonl
    """
    from baclofen_cli import screen as screening
    from baclofen_cli.inputs import InputError
    from baclofen_cli.inputs.table import Columns, TableAdapter, format_for, open_text

    if jobs is not None and jobs < 1:  # checked here, not by min=1: the help keeps a plain "N"
        fail(f"--jobs must be 1 or more, not {jobs}")
    if jobs is not None:
        from baclofen_cli.parallel import max_jobs

        cap = max_jobs()
        if jobs > cap:
            typer.echo(f"baclo: --jobs {jobs} is more than {cap} (4 per core): using {cap}", err=True)
            jobs = cap
    fmt = "json" if json else output_format.value
    source = "standard input" if file == "-" else _clean(file)
    if out is not None:
        out = _clean(out)
        if out != "-" and _is_stdout(out):  # --out /dev/stdout: the same as --out -
            out = "-"
        if out == "-" and fmt == "fhir":
            fail("--out - and --format fhir both write to standard output: choose one")
        if out != "-":
            from baclofen_cli.knowledge import bundled_path

            data = (ctx.obj or {}).get("data") if ctx.obj else None
            try:
                screening.refuse_out(out, [("the input file", None if file == "-" else file),
                                           ("the knowledge file (--data)", data),
                                           ("the bundled knowledge file", str(bundled_path()))],
                                     0 if file == "-" else None)
            except screening.ScreenError as e:
                fail(e.message)
            if file != "-" and os.path.isdir(file) and _inside(out, file):
                fail(f"--out {out} is inside the export directory {file}: baclo never writes into its input")
    if file == "-":
        if sys.stdin is None:  # started with standard input closed (<&-)
            fail("cannot read standard input: it is closed")
    k = _knowledge(ctx)
    named = [_clean(c) if c is not None else None
             for c in (id_column, medications_column, conditions_column, dose_column)]
    columns = Columns(named[0], named[1], named[2], named[3], tuple(_clean(c) for c in ignore_column))
    in_format = format_for(file, format_in.value if format_in else None)
    restore = _on_termination()  # from here on SIGTERM/SIGHUP clean up (the export's index included)
    try:
        bulk = _bulk_export(file, source)  # a directory: a FHIR Bulk Data export, one row per patient
    except _Terminated as e:
        restore()
        fail(f"terminated by signal {e.signum} while reading the export", 128 + e.signum)
    except BaseException:
        restore()
        raise
    if bulk is not None:
        try:
            _check_bulk(bulk, out, strict, source)
        except BaseException:
            restore()
            bulk.close()
            raise
    try:
        if file == "-":
            binary: Any = sys.stdin.buffer
        elif bulk is not None:
            binary = io.BytesIO()
        else:
            binary = open(file, "rb")  # noqa: SIM115 - closed below
            import stat

            mode = os.fstat(binary.fileno()).st_mode
            if stat.S_ISBLK(mode) or stat.S_ISCHR(mode) and not os.isatty(binary.fileno()):
                binary.close()
                fail(f"cannot read {source}: it is a device, not a file (use - for standard input)")
    except OSError as e:
        restore()
        if bulk is not None:
            bulk.close()
        fail(f"cannot read {source}: {e.strerror or e}")
    writer: Any = None
    progress: Optional[_Progress] = None
    summary = screening.Summary()
    state = {"stdout_closed": False, "rows": 0}
    streamed = out == "-" or fmt == "fhir"  # records go to standard output as they are made
    try:
        if bulk is None:
            adapter = TableAdapter(open_text(binary, encoding), source, in_format, columns,
                                   _clean(delimiter) if delimiter is not None else None, encoding)
            adapter.read_header()  # a header that cannot be used stops the run before any row or file
            summary.columns_not_read = adapter.not_read
        if out:
            writer = screening.Writer(out, out_format.value if out_format else None, sys.stdout)
        screener = screening.Screener(k, suggest=suggest)
        progress = _progress(fmt, None if file == "-" or bulk is not None else binary)
        bundle_line: Optional[Callable[[Any], str]] = None
        ascii_out = False
        if fmt == "fhir":
            from baclofen_cli.record_writer import FhirFormatter
            from baclofen_cli.render.safe import ascii_only

            ascii_out = ascii_only(sys.stdout)  # PYTHONIOENCODING=ascii: \u escapes, never "?"
            bundle_line = FhirFormatter(k, ascii_out).line

        def each(outcome: Any) -> None:
            state["rows"] += 1
            if strict and outcome.status == screening.MALFORMED:
                done = state["rows"] - 1
                written = (f"the output is incomplete: {done:,} record{'s' if done != 1 else ''} were already "
                           "written to standard output" if streamed and done else "no record written")
                raise screening.ScreenError(f"line {outcome.row.number}: {outcome.error} (--strict; {written})")
            if writer is not None:
                writer.write(outcome)
                if writer.closed_by_reader:
                    raise _ReaderGone
            if bundle_line is not None and not state["stdout_closed"]:
                try:
                    sys.stdout.write(bundle_line(outcome))
                except BrokenPipeError:
                    _silence_stdout()
                    state["stdout_closed"] = True
                    if writer is None:  # nothing else to write: stop
                        raise _ReaderGone from None
            if progress is not None:
                progress.advance()

        rows = bulk.rows() if bulk is not None else adapter.rows()  # a Bulk export: patient by patient
        flagged = _screen_rows(ctx, screener, rows, summary, each, show, jobs, writer is not None,
                               bundle_line is not None, ascii_out)
        if summary.rows == 0:
            if bulk is not None:
                for line in bulk.accounting.lines_text():
                    typer.echo(f"baclo: {_visible(line)}", err=True)
                raise InputError("no patient to screen: no line of the export could be attributed to a patient")
            raise InputError("no rows to screen (the file has no data rows)")
        if writer is not None:
            writer.commit()
    except screening.WorkerFailed:
        if writer is not None:
            writer.abort()
        done = state["rows"]
        if streamed and done:
            fail(f"the run is incomplete: {done:,} record{'s were' if done != 1 else ' was'} written before a worker "
                 "process failed (out of memory?); run again, or with --jobs 1", EXIT_INTERNAL)
        kept = f"; {out} was left as it was" if out and out != "-" else ""
        fail(f"a worker process failed (out of memory?) after {done:,} rows; no record was written{kept}: "
             "run again, or with --jobs 1", EXIT_INTERNAL)
    except InputError as e:
        if writer is not None:
            writer.abort()
        fail(f"{source}: {e.message}")
    except UnicodeEncodeError:  # not a decoding problem: a bug, reported as one
        if writer is not None:
            writer.abort()
        raise
    except UnicodeError as e:  # a multibyte codec that cannot go on decoding the stream
        if writer is not None:
            writer.abort()
        fail(f"{source}: cannot be read as {encoding} ({_clean(str(e))[:120]}); choose the encoding with --encoding")
    except _ReaderGone:
        if writer is not None:
            writer.abort()
        _silence_stdout()
        fail(f"standard output was closed after {state['rows']:,} row{'s' if state['rows'] != 1 else ''}: "
             "the run is incomplete", EXIT_OUTPUT)
    except _Terminated as e:
        if writer is not None:
            writer.abort()
        _silence_stdout()
        kept = f"; {out} was left as it was" if out and out != "-" else ""
        fail(f"terminated by signal {e.signum} after {state['rows']:,} rows{kept}", 128 + e.signum)
    except KeyboardInterrupt:
        if writer is not None:
            writer.abort()
        kept = f"; {out} was left as it was" if out and out != "-" else ""
        stopped = BacloError(f"interrupted after {state['rows']:,} rows{kept}")
        stopped.exit_code = EXIT_INTERRUPTED  # reported once, by _run, which exits 130
        raise stopped from None
    except OSError as e:
        if writer is not None:
            writer.abort()
        where = "standard output" if isinstance(e, BrokenPipeError) or writer is None or out == "-" else out
        fail(f"cannot write {where}: {e.strerror or e}", EXIT_OUTPUT)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        restore()
        if progress is not None:
            progress.stop()
        if file != "-":
            binary.close()
        if bulk is not None:
            bulk.close()
    code = summary.exit_status(fail_on.value)
    if bulk is not None:
        for line in bulk.accounting.lines_text():
            typer.echo(f"baclo: {_visible(line)}", err=True)
        if bulk.accounting.doubtful and code in (EXIT_OK, EXIT_FLAGGED):  # a line not read is not checked
            code = EXIT_NOT_RECOGNIZED if code == EXIT_OK else EXIT_FLAGGED_AND_NOT_CHECKED
    if state["stdout_closed"]:  # the FHIR records on standard output stopped early (--out was written)
        fail(f"standard output was closed before every row was written (--out {out} is complete): "
             "the run is incomplete", EXIT_OUTPUT)
    if fmt == "fhir":
        raise typer.Exit(code)
    from baclofen_cli.render.pages import ScreenPage

    page = ScreenPage(k, summary, flagged, source)
    if out == "-":
        _emit_to_stderr(fmt, page, code)
    _emit(fmt, page, code=code)


def _inside(path: str, directory: str) -> bool:
    """Whether ``path`` is ``directory`` or inside it (real paths compared)."""
    real, top = os.path.realpath(path), os.path.realpath(directory)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _check_bulk(bulk: Any, out: Optional[str], strict: bool, source: str) -> None:
    """Before any row: --out is none of the files read (a link out of the export), and --strict stops
    at lines that could not be read or attributed."""
    from baclofen_cli import screen as screening

    if out and out != "-":
        for path in bulk.paths:
            if screening.same_file(out, path):
                fail(f"--out {out} is {path}, a file of the export: baclo never writes over its input")
    acc = bulk.accounting
    if strict and acc.unreadable:
        first = acc.problems[0]
        fail(f"{source}: {first.file}, line {first.line}: {first.reason} (--strict; {acc.unreadable:,} "
             f"line{'s' if acc.unreadable != 1 else ''} of the export not read or not attributed; no record written)")


def _bulk_export(file: str, source: str) -> Any:
    """An indexed ``BulkExport`` when FILE is a directory, else None."""
    if file == "-" or not os.path.isdir(file):
        return None
    from baclofen_cli.inputs.fhir_bulk import BulkExport

    try:
        return BulkExport(file)
    except BacloError as e:
        fail(f"{source}: {e.message}", e.exit_code)


def _screen_rows(ctx: typer.Context, screener: Any, rows: Any, summary: Any, each: Callable[[Any], None],
                 show: int, jobs: Optional[int], records: bool, fhir: bool, ascii_out: bool) -> Any:
    """The rows, in this process or spread over ``--jobs`` processes (``baclofen_cli.parallel``)."""
    from baclofen_cli import parallel

    output = parallel.Output(records, fhir, screener.audience, screener.suggest, ascii_out)
    data_path = (ctx.obj or {}).get("data") if ctx.obj else None
    return parallel.run(screener, rows, summary, jobs=jobs or parallel.default_jobs(), output=output, each=each,
                        keep_flagged=show, data_path=data_path)


def _is_stdout(path: str) -> bool:
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):
        return False


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while screening: the temporary --out file is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_termination() -> Callable[[], None]:
    """Turn SIGTERM and SIGHUP into ``_Terminated`` until the returned function restores the handlers."""
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise _Terminated(signum)

    previous: List[Tuple[int, Any]] = []
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            previous.append((signum, signal.signal(signum, handler)))
        except (ValueError, OSError):  # not the main thread
            pass

    def restore() -> None:
        for signum, old in previous:
            try:
                signal.signal(signum, old)
            except (ValueError, OSError, TypeError):
                pass

    return restore


class _ReaderGone(Exception):
    """Standard output was closed by its reader and nothing else is being written."""


def _emit_to_stderr(fmt: str, page: Any, code: int) -> NoReturn:
    """The summary on standard error, when standard output carries the per-row records (--out -)."""
    stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        _emit(fmt, page, code=code)
    finally:
        sys.stdout = stdout


class _Progress:
    """A Rich progress bar on standard error, only when a person is watching it: total and time left
    come from the file size."""

    def __init__(self, binary: Any) -> None:
        from rich.progress import Progress

        from baclofen_cli.render.terminal import make_console

        self.binary = binary
        total = None
        if binary is not None:
            try:
                total = os.fstat(binary.fileno()).st_size or None
            except (OSError, ValueError, AttributeError):
                total = None
        self.bar = Progress(console=make_console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("screening", total=total)
        self.total = total
        self.count = 0

    def advance(self) -> None:
        self.count += 1
        if self.count % 5000 == 0:
            done = self.count
            if self.total is not None:
                try:
                    done = self.binary.tell()
                except (OSError, ValueError):
                    done = 0
            self.bar.update(self.task, completed=done, description=f"screening: {self.count:,} rows")

    def stop(self) -> None:
        self.bar.stop()


def _progress(fmt: str, binary: Any) -> Optional[_Progress]:
    if fmt != "text" or _plain_output():
        return None
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return _Progress(binary)


# ---------------------------------------------------------------- entry point


def _app_for(argv: List[str]) -> typer.Typer:
    """The app to run for these arguments: just the one command they name, when they name one.

    Typer builds the parameters of every command before it parses anything; a run
    needs only one, and building the others costs more than a millisecond of start-up.
    Help, completion and unknown commands get the whole app.
    """
    if any(name.startswith("_BACLO_COMPLETE") for name in os.environ):
        return app
    remaining = iter(argv)
    for arg in remaining:
        if arg == "--data":
            next(remaining, None)
        elif arg == "help":  # baclo help [COMMAND] lists or explains every command: the whole app
            return app
        elif not arg.startswith("-"):
            chosen = [c for c in app.registered_commands
                      if (c.name or (c.callback.__name__ if c.callback else "")) == arg]
            if not chosen:
                return app
            single = typer.Typer(**APP_SETTINGS)
            single.registered_callback = app.registered_callback
            single.registered_commands = chosen
            return single
        elif arg in ("--help", "--install-completion", "--show-completion"):
            return app
    return app


def main(argv: Optional[List[str]] = None) -> None:
    """Console-script entry point: never lets a traceback reach the user.

    Output that cannot be written ends the run with one line on standard error and
    exit status 74; a reader that closes the pipe early (``| head -1``) is not an
    error: the output stops quietly and the status is the one the result calls for.
    It ends with ``os._exit`` once the output is flushed: tearing the interpreter down
    (freeing every module and record one by one) would cost a run about a fifth of its
    time, and baclo holds nothing that needs closing by then.
    """
    if sys.stderr is None:  # started with standard error closed: messages go nowhere, but nothing fails
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    if sys.stdout is None:  # started with standard output closed (>&-)
        sys.stderr.write("baclo: error: cannot write the output: standard output is closed\n")
        sys.stderr.flush()
        os._exit(EXIT_OUTPUT)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    code = _run(sys.argv[1:] if argv is None else argv)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has gone: nothing to add
        pass
    except (OSError, ValueError) as e:
        if code != EXIT_OUTPUT:
            _output_failed(e if isinstance(e, OSError) else OSError(0, "standard output is closed"))
            code = EXIT_OUTPUT
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EBADF, errno.EIO})
"""Errors that can only mean an output could not be written (baclo reads before it writes)."""


def _run(args: List[str]) -> int:
    """Run the command line; return the exit status instead of raising SystemExit."""
    try:
        _restore_sigint()
        _app_for(args)(args=args, prog_name="baclo")
    except SystemExit as e:
        if e.code == EXIT_INTERRUPTED:  # Typer turns Ctrl-C inside a command into exit 130, silently
            return _interrupted()
        if e.code is None or isinstance(e.code, int):
            return e.code or EXIT_OK
        typer.echo(str(e.code), err=True)
        return EXIT_INTERNAL
    except BacloError as e:
        typer.echo(f"baclo: error: {_visible(e.message)}", err=True)
        return e.exit_code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return _interrupted()
    except OSError as e:
        if e.errno not in _OUTPUT_ERRORS or os.environ.get("BACLO_DEBUG"):
            return _internal(e)
        _output_failed(e)
        return EXIT_OUTPUT
    except Exception as e:  # noqa: BLE001 - the last line of defence against tracebacks
        return _internal(e)
    return EXIT_OK


def _restore_sigint() -> None:
    """From here on Ctrl-C is a KeyboardInterrupt again (see ``launch``): commands clean up on it."""
    launch = sys.modules.get("baclofen_cli.launch")
    if launch is None:
        return
    import signal

    try:
        if signal.getsignal(signal.SIGINT) is launch.interrupted_at_start:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread
        pass


def _interrupted() -> int:
    _silence_stdout()
    try:
        sys.stderr.write("baclo: interrupted\n")
    except (OSError, ValueError):
        pass
    return EXIT_INTERRUPTED


def _internal(e: Exception) -> int:
    if os.environ.get("BACLO_DEBUG"):
        raise e
    typer.echo(
        f"baclo: internal error: {type(e).__name__}: {_visible(str(e))}. This is a bug; please report it "
        "(set BACLO_DEBUG=1 to see the traceback).", err=True,
    )
    return EXIT_INTERNAL


def _visible(text: str) -> str:
    from baclofen_cli.render.safe import visible

    return visible(text)
