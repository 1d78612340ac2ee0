"""`govsearch extract`: owned by the cleaner (issue 3)."""

import click


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The URL the file was fetched from (helps dates, region, links).")
@click.option("--json", "as_json", is_flag=True, help="Print the Document as JSON.")
def extract(file: str, url: str | None, as_json: bool) -> None:
    """Clean one HTML/PDF/DOCX/text file into a Document and print it."""
    raise click.ClickException("extract is not implemented yet")
