"""govsearch command-line entry point (see govsearch.cli)."""

__version__ = "0.1.0"
