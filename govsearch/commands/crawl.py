"""`govsearch crawl` and `govsearch reindex`: owned by the crawler (issue 4)."""

import click


@click.command()
@click.argument("urls", nargs=-1, required=True)
def crawl(urls: tuple[str, ...]) -> None:
    """Crawl government sites politely and index the reports found."""
    raise click.ClickException("crawl is not implemented yet")


@click.command()
def reindex() -> None:
    """Rebuild documents and the index from the WARC captures alone, offline."""
    raise click.ClickException("reindex is not implemented yet")
