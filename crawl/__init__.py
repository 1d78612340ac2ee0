"""Turning government publications into Documents: the cleaner (pages, text dumps, PDF, DOCX)
and the polite Scrapy crawler that feeds it."""
