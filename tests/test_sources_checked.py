"""Issue 13: each source names the document and revision read, its link, and when it was checked.

The knowledge file refuses a malformed link or date; ``baclo sources`` shows every field, and says
which ones a source does not record, at 40 and 80 columns and as JSON.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from baclofen_cli.errors import DataError
from baclofen_cli.knowledge import load_knowledge


def _with_source_field(raw: Dict[str, Any], **fields: Any) -> Dict[str, Any]:
    data = copy.deepcopy(raw)
    data["sources"]["lab"].update(fields)
    return data


@pytest.mark.parametrize(("fields", "message"), [
    ({"checked": "25/11/2026"}, "sources.lab.checked: expected a date as YYYY-MM-DD, found '25/11/2026'"),
    ({"checked": "2026-11"}, "sources.lab.checked: expected a date as YYYY-MM-DD"),
    ({"checked": "2026-02-30"}, "sources.lab.checked: '2026-02-30' is not a real date"),
    ({"date": "May 2020"}, "sources.lab.date: expected a date as YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"date": "2020-13"}, "sources.lab.date: '2020-13' is not a real date"),
    # hostile round 8, N3: full-width and other scripts' digits are digits to int(), not to an ISO date
    ({"checked": "\uff12\uff10\uff12\uff16-11-25"}, "sources.lab.checked: expected a date as YYYY-MM-DD"),
    ({"date": "\u0662\u0660\u0662\u0660"}, "sources.lab.date: expected a date as YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"url": "www.medicines.org.uk/emc"}, "sources.lab.url: expected an http(s) address"),
    ({"url": "https://example.org/a b"}, "sources.lab.url: expected an http(s) address"),
    ({"document": ""}, "sources.lab.document: text is empty"),
    ({"revised": "2020-05-07"}, "sources.lab.revised: unknown key"),
])
def test_malformed_source_fields_are_refused(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path],
                                             fields: Dict[str, Any], message: str) -> None:
    path = write_yaml(_with_source_field(mini_raw, **fields))
    with pytest.raises(DataError) as info:
        load_knowledge(str(path))
    assert message in info.value.message


def test_an_unquoted_yaml_date_is_refused_with_a_hint(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    import yaml

    text = yaml.safe_dump(mini_raw, sort_keys=False).replace(
        "kind: label", "kind: label\n    checked: 2026-11-25", 1)
    assert "checked: 2026-11-25" in text
    with pytest.raises(DataError) as info:
        load_knowledge(str(write_yaml(text)))
    assert "quote dates" in info.value.message  # the YAML reader already turns a bare date away


def test_well_formed_source_fields_are_kept(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(_with_source_field(mini_raw, url="https://example.org/smpc", date="2024-03", document="Doc 1",
                                         checked="2026-11-25", version="v2"))
    lab = load_knowledge(str(path)).sources["lab"]
    assert (lab.url, lab.date, lab.document, lab.checked, lab.version) == (
        "https://example.org/smpc", "2024-03", "Doc 1", "2026-11-25", "v2")


def test_the_two_most_cited_sources_name_what_was_read(knowledge: Any) -> None:
    uk, ca, us = knowledge.sources["uk-smpc"], knowledge.sources["ca-monograph"], knowledge.sources["us-label"]
    assert "Mylan" in uk.document and uk.url.startswith("https://www.medicines.org.uk/emc/") and uk.date == "2024-03-20"
    assert "pms-BACLOFEN" in ca.document and "235825" in ca.document and ca.url is None and ca.date is None
    assert "f8992a56-9010-4c4b-84d5-ddcc3e2c3317" in us.document and us.url.endswith(
        "f8992a56-9010-4c4b-84d5-ddcc3e2c3317")
    for s in (uk, ca, us):
        assert s.checked == "2026-11-25" and s.note


def test_links_found_for_the_remaining_sources_and_what_is_still_missing(knowledge: Any) -> None:
    s = knowledge.sources
    oxy = s["oxybate-label"]
    assert oxy.url.startswith("https://api.fda.gov/drug/label.json") and "926eb076-a4a8-45e4-91ef-411f0aa4f3ca" in oxy.url
    assert "926eb076-a4a8-45e4-91ef-411f0aa4f3ca" in oxy.document and oxy.checked == "2026-11-25"
    fq = s["fq-dsc-2018"]
    assert fq.url.startswith("https://www.fda.gov/drugs/drug-safety-and-availability/") and fq.date == "2018-07-10"
    assert "secondary reports only" in fq.note
    assert s["martindale"].url.startswith("https://www.pharmpress.com/") and "not opened" in s["martindale"].note
    assert s["bnf"].url == "https://bnf.nice.org.uk/drugs/" and "not opened" in s["bnf"].note
    # the US label's revision is still unknown, and the file says so rather than guessing
    us = s["us-label"]
    assert us.version.startswith("not recorded") and us.date is None and "openFDA" in us.note


def test_anonymous_databases_say_why(knowledge: Any) -> None:
    for tag in ("disease-db", "drug-db"):
        assert "reference sheet" in knowledge.sources[tag].note and "does not guess" in knowledge.sources[tag].note
    assert knowledge.sources["article"].url and knowledge.sources["article"].checked


@pytest.mark.parametrize("columns", [40, 80])
def test_sources_page_shows_document_date_link_and_check(run: Any, columns: int) -> None:
    result = run("sources", env={"FORCE_COLOR": "1", "COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).rstrip() for line in result.stdout.splitlines()]
    # a link longer than the line is kept whole (copyable, clickable) and left to the terminal to wrap;
    # every other line fits
    too_long = [line for line in lines if len(line) > columns and not re.fullmatch(r"\s*(Link: )?https?://\S+", line)]
    assert not too_long, too_long
    text = "\n".join(lines)
    uk = text[text.index("uk-smpc:"):text.index("fda-dsc-2016:")]
    for field in ("Document:", "Date: 2024-03-20", "Link:", "Statements compared: 2026-11-25", "Note:"):
        assert field in uk, field
    assert "Not recorded" not in uk
    ca = text[text.index("ca-monograph:"):text.index("uk-smpc:")]
    assert re.search(r"Not recorded: date,\s+link", ca)
    assert re.search(r"Not recorded: link, statements\s+compared", text)  # e.g. a source with neither: said, not silently dropped


def test_sources_json_carries_document_and_checked(run: Any) -> None:
    data = json.loads(run("sources", "--json").stdout)["sources"]
    assert data["uk-smpc"]["document"].startswith("Baclofen Tablets 10 mg")
    assert data["uk-smpc"]["checked"] == "2026-11-25"
    assert data["fda-dsc-2016"]["checked"] is None
