"""The member-array fast path: Meta's pretty-printed `{"key": [...]}` files cut like arrays."""

import io
import json

import msgspec
import pytest

from auditor.sources.json_stream import RecordReader, iter_member_array


class Rec(msgspec.Struct):
    a: int = 0


def records(text, key="k"):
    problems = []
    got = iter_member_array(
        io.BytesIO(text.encode()), b"", key, RecordReader(Rec), "f", problems.append
    )
    return [r.a for r in got], problems


BIG = {"k": [{"a": i, "s": "x" * 40, "inner": [{"a": -1}, {"a": -2}]} for i in range(30000)]}


@pytest.mark.parametrize(
    "value",
    [
        BIG,
        {**BIG, "after": [{"a": -5}, {"a": -6}]},  # members after the array are never records
        {"k": [{"a": 1}]},
        {"k": []},
        {"before": 1, "k": [{"a": 1}, {"a": 2}]},  # not the first member: ijson finds it
    ],
)
def test_same_records_as_json_loads(value):
    got, problems = records(json.dumps(value, indent=2))
    assert got == [r["a"] for r in value["k"]] and problems == []


def test_first_present_of_several_keys():
    text = json.dumps({"comments": [{"a": 7}]}, indent=2)
    assert records(text, ("comments_v2", "comments")) == ([7], [])


def test_cut_file_keeps_the_records_before_the_cut():
    text = json.dumps(BIG, indent=2)
    got, problems = records(text[: len(text) // 2])
    assert got == list(range(len(got))) and 10000 < len(got) < 20000
    assert len(problems) == 1 and "ends in the middle of record" in problems[0]
