"""Test files seen in pretraining are refused unless forced."""

import warnings

import pytest

from sslsci.evaluate import LeakageError, LeakageWarning, check_leakage
from sslsci.store import ItemRow


def item(uri: str, sha: str, name: str = "0") -> ItemRow:
    return ItemRow(
        store_key=f"{sha}-{name}",
        entry="task",
        uri=uri,
        item=name,
        sha256=sha,
        dims=("channel", "time"),
        shape=(2, 8),
        label="a",
        group_key=None,
        labels={},
        split="test",
        stats={},
        attrs={},
    )


TEST_ITEMS = [
    item("file://a.ts", "aaa", "0"),
    item("file://a.ts", "aaa", "1"),
    item("file://b.ts", "bbb"),
    item("file://c.ts", "ccc"),
]


def test_overlap_is_refused_with_count_example_and_fix() -> None:
    with pytest.raises(LeakageError) as caught:
        check_leakage(TEST_ITEMS, {"aaa", "ccc", "zzz"}, force=False)
    message = str(caught.value)
    assert "2 test file(s)" in message  # two files, though three items
    assert "file://a.ts" in message
    assert "--force" in message


def test_force_returns_the_leaked_files_with_a_warning() -> None:
    with pytest.warns(LeakageWarning, match="2 test file"):
        leaked = check_leakage(TEST_ITEMS, {"aaa", "ccc"}, force=True)
    assert leaked == ["file://a.ts", "file://c.ts"]


def test_disjoint_sets_pass_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_leakage(TEST_ITEMS, {"ddd"}, force=False) == []
