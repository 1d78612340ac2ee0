"""Response headers that make injected markup harmless even if escaping were ever missed.

Documents come from the open web; a title or paragraph may carry markup. Templates escape
everything, and the Content-Security-Policy is the second wall: no inline script or style, no
plugins, no framing of our pages by others.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: The app's own pages: scripts and styles only from our static files.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-src 'self'; frame-ancestors 'none'"
)
#: An archived page: it may keep its own inline styles and data: images, nothing else, and it
#: runs in a sandbox without scripts, forms, plugins or top-level navigation.
ARCHIVE_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "font-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)


def install(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = PAGE_CSP
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/"):
        # The API is public and read-only; let other tools on the intranet call it.
        headers.setdefault("Access-Control-Allow-Origin", "*")
    return response
