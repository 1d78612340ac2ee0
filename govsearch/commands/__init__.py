"""Subcommands that belong to one package each (extract → crawl cleaner, crawl, serve → webui)."""
