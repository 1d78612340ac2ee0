"""Errors the loaders raise. Their ``str()`` is a one-line reason shown to the user."""


class LoadError(Exception):
    """The input could not be turned into a Document (unreadable, unsupported, too large…)."""


class NotAnArticle(LoadError):
    """The input is a real page, but not an article: a column list, a search page, an empty page."""
