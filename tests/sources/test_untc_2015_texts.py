"""Reservations and declarations of the refugee and statelessness conventions, from the 2015 scrape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from treatywatch.engine.events import EventKind
from treatywatch.knowledge.participants import load_registry
from treatywatch.knowledge.treaties import load_catalogue
from treatywatch.sources.base import Document, ParseError, ParseResult, SoftFailure
from treatywatch.sources.registry import get_source
from treatywatch.sources.untc_2015_texts.parser import blocks, kind_of

SOURCE = get_source("untc_2015_texts")
REGISTRY, CATALOGUE = load_registry(), load_catalogue()
DOCUMENTS = {Path(d.name).stem: d for d in SOURCE.stored_documents()}


def parse(document: Document) -> ParseResult:
    return SOURCE.parse(document, participants=REGISTRY, catalogue=CATALOGUE)


def variant(stem: str, content: bytes) -> Document:
    original = DOCUMENTS[stem]
    return Document(original.source, original.url, content, original.retrieved_at, original.name)


@pytest.mark.parametrize(
    ("stem", "treaty", "blocks_with_text"),
    [
        ("5-2", "refugee-1951", 52),
        ("5-3", "stateless-1954", 35),
        ("5-4", "statelessness-1961", 15),
        ("5-5", "refugee-protocol-1967", 32),
    ],
)
def test_every_text_of_the_real_files_is_read_with_its_state(stem, treaty, blocks_with_text):
    result = parse(DOCUMENTS[stem])
    assert result.treaty == treaty
    assert len(result.events) == blocks_with_text
    raw = DOCUMENTS[stem].content.decode()
    headers = [line for line in raw.splitlines() if line.startswith("#")]
    assert len({e.state for e in result.events}) == blocks_with_text <= len(headers)
    for event in result.events:
        assert event.date is None and event.text and event.provenance.original.startswith("#")
        assert event.provenance.url.endswith(f"/declarations/{stem}.txt")
        assert event.text.split()[0] in raw  # the text is the file's own words


def test_the_texts_lawyers_look_for_are_there_and_kinded():
    refugee = {e.state: e for e in parse(DOCUMENTS["5-2"]).events}
    assert "events occurring before 1 January 1951" in refugee["TUR"].text
    assert refugee["AGO"].kind == EventKind.RESERVATION and "article 17" in refugee["AGO"].text
    assert refugee["POL"].kind == EventKind.RESERVATION  # "does not consider itself bound by"
    assert "citizens. The Government" in refugee["AGO"].text  # the dropped paragraph break is restored
    kinds = Counter(e.kind for e in refugee.values())
    assert kinds[EventKind.RESERVATION] > kinds[EventKind.DECLARATION] > 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The Government of X objects to the reservation made by Y to article 3.", EventKind.OBJECTION),
        (
            "The Government of X has decided to withdraw its reservation to article 17.",
            EventKind.RESERVATION_WITHDRAWN,
        ),
        ("Subject to a reservation in respect of article 24.", EventKind.RESERVATION),
        ("X does not consider itself bound by article 38.", EventKind.RESERVATION),
        ("X declares that it will apply the Convention to refugees from any region.", EventKind.DECLARATION),
    ],
)
def test_the_kind_follows_the_wording(text, kind):
    assert kind_of(text) == kind


def test_a_block_may_be_empty_and_paragraphs_are_joined():
    assert blocks("#Australia\n\n#Austria\nFirst.\nSecond part.\n") == [
        (1, "Australia", ""),
        (3, "Austria", "First. Second part."),
    ]


def test_malformed_files_get_a_clear_error_naming_the_problem():
    with pytest.raises(ParseError, match="text before the first #participant line"):
        parse(variant("5-2", b"stray words\n#Angola\ntext\n"))
    with pytest.raises(ParseError, match="unknown participant") as error:
        parse(variant("5-2", b"#Atlantis\nA reservation.\n"))
    assert "Atlantis" in str(error.value)
    with pytest.raises(ParseError, match="two blocks"):
        parse(variant("5-2", b"#Angola\nOne.\n#Angola\nTwo.\n"))
    with pytest.raises(ParseError, match="not UTF-8"):
        parse(variant("5-2", b"#Angola\n\xff\xfe\n"))
    with pytest.raises(SoftFailure, match="no #participant blocks"):
        parse(variant("5-2", b"\n\n"))
