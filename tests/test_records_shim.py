"""The start-up-cheap NamedTuple stand-in behaves as typing.NamedTuple does."""

from __future__ import annotations

import pickle
from typing import NamedTuple as TypingNamedTuple
from typing import Optional

import pytest

from baclofen_cli._records import NamedTuple
from baclofen_cli.knowledge.model import Entry
from baclofen_cli.record import Record


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: Optional[str] = None

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)


class TypingPoint(TypingNamedTuple):
    x: int
    y: int = 0
    label: Optional[str] = None


def test_fields_defaults_and_methods_match_typing() -> None:
    assert Point._fields == TypingPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypingPoint._field_defaults
    p = Point(1)
    assert tuple(p) == tuple(TypingPoint(1))
    assert tuple(p) == (1, 0, None)
    assert p.moved(2) == Point(3, 0, None)
    assert Point(x=1, label="a")._asdict() == {"x": 1, "y": 0, "label": "a"}
    assert Point.__doc__ == "A point."
    assert list(Point.__annotations__) == ["x", "y", "label"]
    assert hash(Point(1, 2)) == hash((1, 2, None))
    assert isinstance(p, tuple)
    with pytest.raises(AttributeError):
        setattr(p, "x", 5)
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_records_survive_pickling_for_worker_processes() -> None:
    entry = Entry(text="t", sources=("article",))
    assert pickle.loads(pickle.dumps(entry)) == entry
    assert type(pickle.loads(pickle.dumps(entry))) is Entry
    record = Record(medications=("a",))
    assert pickle.loads(pickle.dumps(record)) == record
    assert Entry.__qualname__ == "Entry" and Entry.__module__ == "baclofen_cli.knowledge.model"


def test_refuses_what_typing_refuses() -> None:
    with pytest.raises(AttributeError):
        class Bad(NamedTuple):
            x: int

            def _replace(self) -> None:  # type: ignore[misc]
                pass
    with pytest.raises(TypeError):
        class Bad2(NamedTuple):
            x: int = 0
            y: int  # type: ignore[misc]


def test_the_functional_form_is_refused_not_half_built() -> None:
    with pytest.raises(TypeError):
        NamedTuple("Point", [("x", int)])
