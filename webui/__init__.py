"""Flask web UI and JSON API over the indexer."""
