"""One check of what an adapter made of a cloud resource, naming every field that differs."""

from __future__ import annotations

from typing import Any

from costopt.model import Resource

_ABSENT = "<absent>"


def _same(got: Any, want: Any) -> bool:
    if want is None or isinstance(want, bool):  # False must not pass as 0, nor None as ""
        return got is want
    return bool(want == got)  # want first: pytest.approx compares itself


def assert_fields(resource: Resource, **expected: Any) -> None:
    """Fail unless ``resource`` has every ``expected`` field, listing all differences at once.

    A keyword names a :class:`~costopt.model.Resource` attribute (``kind="vm"``,
    ``hourly_cost=pytest.approx(0.768)``); ``specs={...}``, ``attributes={...}`` and ``tags={...}``
    check only the entries they name (a missing entry differs from every value).
    """
    wrong = []
    for name, want in expected.items():
        got = getattr(resource, name)
        if name in ("specs", "attributes", "tags"):
            wrong += [f"{name}[{key!r}] = {got.get(key, _ABSENT)!r}, expected {value!r}"
                      for key, value in want.items() if not _same(got.get(key, _ABSENT), value)]
        elif not _same(got, want):
            wrong.append(f"{name} = {got!r}, expected {want!r}")
    assert not wrong, f"{resource.name}: " + "; ".join(wrong)
