"""Research views over the index: the annual-report tracker and keyword trends.

Both are computed from the engine's counts and result sets (``SearchBackend.search`` with
filters and facets), never by walking every document, and both return plain data classes
that the CLI (``govsearch tracker`` / ``govsearch trend``) and the web UI (``/tracker``,
``/trends`` and their JSON twins) render. The report-structure part of issue 13 lives in
``indexer.sections``; these views only read its results.
"""
