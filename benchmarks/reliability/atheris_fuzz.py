"""Coverage-guided fuzzing with atheris (libFuzzer) where it fits: the query parser, the
text-dump parser and the cleaner, byte for byte.

Hypothesis (fuzz_long.py) generates structured hostile input; libFuzzer mutates toward new
branches, which finds the odd byte sequence a grammar would never produce. Any exception other
than the module's own one-line error is a crash: libFuzzer stops, prints the traceback and
writes the input to ``crash-*``. ``-timeout`` is the per-input bound in seconds.

Needs the ``fuzz`` extra (``pip install -e .[fuzz]``: atheris, Linux x86-64 wheels).

Usage (the rows in docs/reliability.md)::

    .venv/bin/python benchmarks/reliability/atheris_fuzz.py query -runs=200000 -seed=1 -timeout=5
    .venv/bin/python benchmarks/reliability/atheris_fuzz.py dump  -runs=50000 -seed=1 -timeout=5
    .venv/bin/python benchmarks/reliability/atheris_fuzz.py html  -runs=20000 -seed=1 -timeout=5
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402

with atheris.instrument_imports():
    from extract.clean import clean_bytes
    from extract.textdump import parse_text_dump
    from indexer.api import QueryError
    from indexer.query import parse_query


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


def fuzz_query(data: bytes) -> None:
    try:
        parse_query(_text(data))
    except QueryError as exc:
        if "\n" in str(exc) or not str(exc).strip():
            raise AssertionError(f"not a one-line error: {exc!r}") from None


def fuzz_dump(data: bytes) -> None:
    parse_text_dump(_text(data), "fuzz://dump")  # documented: never raises


def fuzz_html(data: bytes) -> None:
    result = clean_bytes(data, url="https://www.example.gov.cn/art/2021/3/1/a.html")
    if result.kind == "error" and (result.reason or "").startswith("提取失败："):
        raise AssertionError(f"internal error behind the catch-all: {result.reason}")


TARGETS = {"query": fuzz_query, "dump": fuzz_dump, "html": fuzz_html}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: atheris_fuzz.py {{{'|'.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
