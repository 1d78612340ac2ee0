"""`govsearch serve`: the web UI and JSON API under waitress (owned by the web UI, issue 5)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (0.0.0.0 serves the whole network).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads answering requests.")
@click.option("--public-url", envvar="GOVSEARCH_PUBLIC_URL", metavar="URL",
              help="Address readers use (e.g. https://search.example.gov.cn); used in "
                   "citation permalinks and feeds. Env: GOVSEARCH_PUBLIC_URL.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, public_url: str | None) -> None:
    """Serve the web UI and JSON API (read-only; waitress)."""
    import logging

    from waitress.server import create_server

    from webui import create_app

    data_dir = ctx.obj.data_dir
    if public_url and not public_url.startswith(("http://", "https://")):
        raise click.BadParameter("必须以 http:// 或 https:// 开头", param_hint="--public-url")
    app = create_app(data_dir, config={"PUBLIC_URL": public_url} if public_url else None)
    try:
        server = create_server(app, host=host, port=port, threads=threads,
                               ident="govsearch", clear_untrusted_proxy_headers=True)
    except OSError as err:
        raise click.ClickException(f"无法监听 {host}:{port}：{err.strerror or err}") from None
    # Waitress warns on every queued request under load ("Task queue depth is 8"): that is
    # normal for a search server, and it would drown the real errors.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    shown_host = f"[{host}]" if ":" in host else host
    actual_port = getattr(server, "effective_port", port)
    click.echo(f"govsearch 已启动：http://{shown_host}:{actual_port}/ （索引目录 {data_dir}）")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("注意：服务对本机以外的网络开放；本服务只读，不提供写入或抓取操作。")
    click.echo("按 Ctrl+C 停止。")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("已停止。")
    finally:
        server.close()
