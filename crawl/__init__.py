"""The polite, incremental Scrapy fetcher: spider, discovery, politeness, crawl state, pipeline.

Extraction lives in :mod:`extract`, WARC captures in :mod:`archive`."""
