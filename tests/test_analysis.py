import os

import pytest

from auditor.text import analysis
from auditor.text.analysis import Analyser, default_analyser

TEXTS = [
    'Saw a 67-year-old in the ED tonight who fell off the water tower. Mr Alvarez said "I am ok".',
    "62F in bay 4 at St Mary's, MRN 12345678, call 555-0187 or jo@example.com",
    "J.T. in bed 14 keeps asking when he can go home. Creatinine trending down tonight.",
    "Café résumé 🙂 today at Lakeview General with the mayor's son, a retired fire chief.",
    "Be patient with the new EHR, a case of beer, great shot in the game.",
    "Adults over 45 should be screened. Teaching point: in any patient with chest pain...",
    "“I’m fine”, said Mr O’Neil today, the first case we’ve ever seen. Üntoday, étonight.",
    "a lone \ud83d surrogate from a broken export, tonight",
    "",
]


def kinds_and_text(result):
    return [(s.kind, s.text) for s in result.spans]


def test_recognisers_annotate_the_identifier_kinds():
    a = default_analyser()
    spans = kinds_and_text(a.analyse(TEXTS[0]))
    assert ("age", "67-year-old") in spans
    assert ("time", "tonight") in spans and ("unit", "ED") in spans
    assert ("name", "Mr Alvarez") in spans and ("quote", '"I am ok"') in spans
    second = dict(kinds_and_text(a.analyse(TEXTS[1])))
    assert second["age"] == "62F" and second["record_number"] == "MRN 12345678"
    assert second["phone"] == "555-0187" and second["email"] == "jo@example.com"
    assert second["facility"] == "St Mary's" and second["unit"] == "bay 4"
    third = a.analyse(TEXTS[2])
    assert "initials" in third.kinds and "unit" in third.kinds
    fourth = dict(kinds_and_text(a.analyse(TEXTS[3])))
    assert fourth["relationship"] == "the mayor's son"
    assert fourth["occupation"] == "fire chief" and fourth["facility"] == "Lakeview General"


def test_offsets_are_utf8_byte_offsets():
    text = TEXTS[3]
    span = next(s for s in default_analyser().analyse(text).spans if s.kind == "time")
    assert text.encode()[span.start : span.end].decode() == "today"


def test_claw_back_spans_are_annotated():
    result = default_analyser().analyse(TEXTS[4])
    assert len(result.of("not_clinical_sense")) >= 3
    assert {"hypothetical"} <= default_analyser().analyse(TEXTS[5]).kinds


@pytest.mark.skipif(analysis.hyperscan is None, reason="hyperscan not installed")
@pytest.mark.parametrize("text", TEXTS)
def test_hyperscan_and_re_engines_agree(text):
    fast = Analyser(engine="hyperscan")
    slow = Analyser(engine="re")
    assert fast.analyse(text) == slow.analyse(text)


def test_compiled_database_is_cached(tmp_path, monkeypatch):
    if analysis.hyperscan is None:
        pytest.skip("hyperscan not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    Analyser(engine="hyperscan")
    cached = list((tmp_path / "auditor").glob("recognisers-*.hsdb"))
    assert len(cached) == 1 and (cached[0].stat().st_mode & 0o077) == 0
    again = Analyser(engine="hyperscan")  # loads from the cache
    assert again.analyse(TEXTS[0]) == Analyser(engine="re").analyse(TEXTS[0])


def test_databases_of_older_recognisers_are_pruned(tmp_path, monkeypatch):
    if analysis.hyperscan is None:
        pytest.skip("hyperscan not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "auditor"
    folder.mkdir()
    for n in range(6):
        stale = folder / f"recognisers-stale{n}.hsdb"
        stale.write_bytes(b"x")
        os.utime(stale, (1_000_000 + n, 1_000_000 + n))
    (folder / "unrelated.txt").write_text("kept")
    Analyser(engine="hyperscan")
    left = sorted(p.name for p in folder.glob("recognisers-*.hsdb"))
    assert len(left) == analysis.CACHE_KEEP
    assert "recognisers-stale5.hsdb" in left and "recognisers-stale0.hsdb" not in left
    assert (folder / "unrelated.txt").exists()


def test_batch_equals_one_by_one_and_nothing_matches_across_posts():
    a = default_analyser()
    texts = [*TEXTS, "record MRN", "12345678 is a number", 'she said "hello', 'there" ok']
    assert a.analyse_many(texts) == [a.analyse(t) for t in texts]
    assert a.analyse_many(texts) == Analyser(engine="re").analyse_many(texts)
