"""`govsearch serve`: owned by the web UI (issue 5)."""

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web UI and JSON API (waitress)."""
    click.echo(f"The web UI is not built yet; the index is at {ctx.obj.data_dir}.")
