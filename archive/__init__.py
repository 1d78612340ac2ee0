"""WARC captures: written by the crawler, read by the crawler, ``reindex`` and the web UI.

:mod:`archive.warc` writes and reads the WARC files; :mod:`archive.captures` is the
capture index (which file and offset hold the response with a given payload SHA-256), so
that a reader finds a cited capture without the crawler's own state.
"""
