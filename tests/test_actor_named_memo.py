"""A plain string user's actor is shared per name, and names what a new one would.

``actor_from_user("ann")`` returns one ``Actor`` per name (issue 21: no object per
request for Flask's ``g.user``); it must be equal to the actor built from the string,
for any string, through the memo's clearing, and a ``str`` subclass (whose value the
actor would keep as it is) is never shared."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.capture import actor as actor_module
from auditmw.capture.actor import actor_from_user, as_actor
from auditmw.event import Actor


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=40))
def test_each_name_reads_as_the_actor_built_from_it(names: list[str]) -> None:
    for name in names + names[::-1]:  # each twice: made, then found
        found = actor_from_user(name)
        expected = Actor(id=name, name=name) if name else None
        assert found == expected
        assert as_actor(name) == expected
        if found is not None:
            assert type(found.id) is str
            assert found.id == name


def test_the_memo_is_bounded_and_still_right_once_cleared() -> None:
    size = actor_module.NAMED_MEMO_SIZE
    for i in range(size * 2 + 5):
        name = f"user-{i}"
        assert actor_from_user(name) == Actor(id=name, name=name)
        assert len(actor_module._NAMED) <= size
    assert actor_from_user("user-0") == Actor(id="user-0", name="user-0")


def test_one_actor_per_name_and_none_for_a_str_subclass() -> None:
    class Tagged(str):
        pass

    assert actor_from_user("ann") is actor_from_user("ann")
    tagged = Tagged("ann")
    found = actor_from_user(tagged)
    assert found == Actor(id="ann", name="ann")
    assert found is not actor_from_user("ann")
    assert found is not None
    assert type(found.id) is Tagged
