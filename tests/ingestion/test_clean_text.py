"""``clean_text`` (dbt/macros/parsing.sql) skips trim() for values that cannot change: it must give exactly what
``nullif(trim(x), '')`` gives, on every ASCII character at either end and on Unicode spaces."""
import duckdb

from dagster_project.ingestion.rules import clean_text

UNICODE = ["\u00a0", "\u2003", "\u3000", "\u202f", "\u1680", "\ufeff", "é", "€", "\u0301"]


def test_clean_text_is_trim_then_empty_as_null():
    values = [None, "", " ", "  ", "a", " a", "a ", " a b ", "a  b"]
    for ch in [chr(i) for i in range(1, 128)] + UNICODE:
        values += [ch, ch + "ab", "ab" + ch, ch + "ab" + ch, " " + ch, ch + " ", "a" + ch + "b"]
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    differ = con.execute(
        f"SELECT i, x, {clean_text('x')} AS fast, nullif(trim(x), '') AS slow FROM v "
        f"WHERE {clean_text('x')} IS DISTINCT FROM nullif(trim(x), '')").fetchall()
    assert differ == []
    # the fast path is taken (not every value goes through trim) and trims what trim trims
    assert con.execute(f"SELECT {clean_text('x')} FROM (VALUES (' a\u00a0')) t(x)").fetchone()[0] == "a"
    assert con.execute(f"SELECT {clean_text('x')} FROM (VALUES ('\u00a0')) t(x)").fetchone()[0] is None
