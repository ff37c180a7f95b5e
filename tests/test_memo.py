"""memo.by_identity: one result per object and further arguments, never another object's."""
import pytest

from flopdocs.base.memo import by_identity


def test_one_call_per_object_and_arguments():
    calls = []

    @by_identity
    def tag(obj, *args):
        calls.append((id(obj), args))
        return (len(obj), *args)

    a, b = [1, 2], [1, 2]  # equal, not the same object
    assert tag(a, "x") == (2, "x") and tag(a, "x") == (2, "x")
    assert tag(a, "y") == (2, "y")  # another argument: another result
    assert tag(b, "x") == (2, "x")  # another object: computed again
    assert calls == [(id(a), ("x",)), (id(a), ("y",)), (id(b), ("x",))]
    a.append(3)  # the cache trusts the object to be frozen: the first result stands
    assert tag(a, "x") == (2, "x")


def test_an_unhashable_argument_is_refused():
    @by_identity
    def f(obj, arg):
        return arg

    with pytest.raises(TypeError):
        f(object(), [1])
