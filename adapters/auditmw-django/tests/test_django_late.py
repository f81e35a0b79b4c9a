"""An execution after the response whose answer showed the field (capture/late_wire.py),
through the Django door: a ``request_finished`` receiver runs the mutation in
``response.close()``. One event, the execution's (its actor); an answer showing the
field that nothing runs after (an engine the hook cannot see): one event from the wire,
once the response is closed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from auditmw.testing import capture_audit_events


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("path", "expected"), [
    ("/graphql", [("createAssetGroup", "u2")]),
    ("/graphql/strawberry", [("createAssetGroup", None)]),
])
@override_settings(ROOT_URLCONF="late_urls")
def test_an_answer_showing_the_field(make_audit: Any, mode: str, path: str,
                                     expected: list[tuple[str, Any]]) -> None:
    from django.test import Client
    from late_urls import MUTATION, Counts

    trail = make_audit(delivery={"mode": mode})
    Counts.graphql_core = Counts.other = 0
    with capture_audit_events(trail) as events:
        answer = Client().post(path, json.dumps({"query": MUTATION}),
                               content_type="application/json")
        assert answer.status_code == 200
        assert trail.flush(10)
        assert Counts.graphql_core + Counts.other == len(events) == 1
        assert [(e["event"], e["actor"]["id"]) for e in events] == expected
