"""``model.evolve``: the copier the trade-off uses for frozen records gives what
``dataclasses.replace`` gives, for plain, slotted and slotted-subclass records."""

from __future__ import annotations

from dataclasses import replace

import pytest

from costopt.audit_extras import ResolvedRec
from costopt.model import Recommendation, SloVerdict, evolve
from costopt.records import Current, Proposal


def _resolved() -> ResolvedRec:
    return ResolvedRec("r1", "idle.instance", "i-1", "web", "stop", 10.0, 10.0, 0.0, "gone")


@pytest.mark.parametrize("record, changes", [
    (_resolved(), {"status": "applied", "realised_savings": 10.0, "id": "r2"}),  # fields of the slotted base too
    (SloVerdict("ok", ("fine",)), {"status": "breach"}),
    (Recommendation(id="a", rule_id="idle.instance", resource_id="i-1", action="stop"), {"monthly_savings": 5.0}),
    (Proposal(type="m5.large", count=2), {"count": 1}),
    (Current(type="m5.large", count=2), {"type": "m5.xlarge"}),
])
def test_evolve_equals_replace(record, changes):
    copy = evolve(record, **changes)
    assert copy == replace(record, **changes) and copy is not record
    assert record == replace(record)  # the original is unchanged


def test_evolve_names_an_unknown_field():
    with pytest.raises(TypeError, match="no field 'nope'"):
        evolve(_resolved(), nope=1)
