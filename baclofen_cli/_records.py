"""A start-up-cheap stand-in for ``typing.NamedTuple``.

baclo declares about fifty record types (the knowledge file's, the record's, the
findings'). ``typing.NamedTuple`` type-checks and evaluates every annotation
when each class is created: about 0.15 ms a class, some 7 ms of every run
(``python -X importtime``). Modules that declare records write
``from __future__ import annotations`` (annotations stay strings) and import
``NamedTuple`` from here: type checkers see ``typing.NamedTuple`` itself, while
at run time the class body is handed to ``collections.namedtuple`` without
evaluating a single annotation. The classes are ordinary named tuples: same
fields, defaults, methods, docstrings, equality, hashing and pickling (module
and qualified name are kept, so ``--jobs`` workers can exchange them).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    import collections

    # Names a class body may not define, as typing.NamedTuple refuses them too.
    _REFUSED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                          "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    # Set by Python or by namedtuple itself, never copied from the class body.
    _OWN = frozenset({"__module__", "__qualname__", "__annotations__", "__doc__"})

    class _Meta(type):
        def __new__(mcls, typename, bases, namespace):
            if namespace.get("_is_root"):
                return super().__new__(mcls, typename, bases, namespace)
            annotations = namespace.get("__annotations__", {})
            fields = list(annotations)
            defaults = []
            for field in fields:
                if field in namespace:
                    defaults.append(namespace[field])
                elif defaults:
                    raise TypeError(f"{typename}: field {field} without a default follows one with a default")
            made = collections.namedtuple(typename, fields, defaults=defaults,
                                          module=namespace.get("__module__"))
            for key, value in namespace.items():
                if key in _REFUSED:
                    raise AttributeError(f"{typename}: cannot overwrite NamedTuple attribute {key}")
                if key not in _OWN and key not in annotations:
                    setattr(made, key, value)
            made.__annotations__ = dict(annotations)
            made.__qualname__ = namespace.get("__qualname__", typename)
            if namespace.get("__doc__") is not None:
                made.__doc__ = namespace["__doc__"]
            return made

    class _Root(metaclass=_Meta):
        _is_root = True

    def NamedTuple(typename, fields=None, /, **kwargs):  # noqa: N802 (typing's name)
        """Only the class form is supported here (baclo uses no other): refuse, never half-build."""
        raise TypeError("baclofen_cli._records.NamedTuple: declare records with the class form")

    NamedTuple.__mro_entries__ = lambda bases: (_Root,)
