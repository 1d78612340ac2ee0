"""Flask web UI and JSON API over the indexer.

``create_app(data_dir)`` builds the application; ``govsearch serve`` runs it under waitress.
The app only reads: there is no crawl, index or delete action over HTTP.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app, url_for
from werkzeug.routing import BaseConverter

from indexer.api import SearchBackend

log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """The index cannot be opened (not built yet, or unreadable); the message is for users."""


class DocIdConverter(BaseConverter):
    """Document ids are 16 lower-case hex digits; anything else (``../``, ``%2e``) is a 404."""

    regex = r"[0-9a-f]{16}"


class _BackendHolder:
    """Opens the index once, on first use, so the app starts even before anything is indexed."""

    def __init__(self, data_dir: Path, backend: SearchBackend | None) -> None:
        self.data_dir = data_dir
        self._backend = backend
        self._lock = threading.Lock()

    def get(self) -> SearchBackend:
        if self._backend is not None:
            return self._backend
        with self._lock:
            if self._backend is None:
                from indexer import open_index

                try:
                    self._backend = open_index(self.data_dir, readonly=True)
                except Exception as err:  # the engine's own errors vary; users need one line
                    log.warning("cannot open index at %s: %s", self.data_dir, err)
                    raise IndexUnavailable(
                        f"无法打开索引（{self.data_dir}）：请先运行 govsearch index <文件夹> 建立索引。"
                    ) from err
        return self._backend

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None


class GovsearchFlask(Flask):
    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape every template, whatever its extension (the Atom feed, inline SVG)."""
        return True


def create_app(data_dir: str | os.PathLike[str] | None = None, *,
               backend: SearchBackend | None = None,
               config: dict[str, Any] | None = None) -> Flask:
    """Build the app over the index in ``data_dir`` (or an already open ``backend``).

    The default data directory follows the CLI: ``$GOVSEARCH_DATA`` or ``./index_data``.
    """
    if data_dir is None:
        data_dir = os.environ.get("GOVSEARCH_DATA", "index_data")
    app = GovsearchFlask(__name__)
    app.config.update(
        GOVSEARCH_DATA=Path(data_dir),
        # Citations and feeds must carry the address readers use, not whatever host name
        # this request came in on (127.0.0.1 on the server itself): set it when deploying.
        PUBLIC_URL=os.environ.get("GOVSEARCH_PUBLIC_URL") or None,
        MAX_CONTENT_LENGTH=64 * 1024,  # nothing is uploaded; bound what a client can send
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if config:
        app.config.update(config)
    app.url_map.converters["docid"] = DocIdConverter
    app.url_map.strict_slashes = False
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.extensions["govsearch_backend"] = _BackendHolder(Path(data_dir), backend)

    from webui import api, feeds, research, security, views

    app.register_blueprint(views.bp)
    app.register_blueprint(research.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    security.install(app)
    views.install_error_pages(app)
    return app


def get_backend() -> SearchBackend:
    """The app's open index (opened on first call)."""
    return current_app.extensions["govsearch_backend"].get()


def external_url(endpoint: str, **values: Any) -> str:
    """Absolute URL for links that leave the page (citations, feeds): PUBLIC_URL if set."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return public.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def data_dir() -> Path:
    return current_app.config["GOVSEARCH_DATA"]
