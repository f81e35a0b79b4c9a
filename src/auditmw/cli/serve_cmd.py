"""``auditmw serve``: run the audit server (export, Data API, GraphQL) with uvicorn."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from auditmw.cli import add_config_option
from auditmw.config import load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the audit trail over HTTP (export, Data API, GraphQL)",
        description="Run the audit server standalone over the configured store, under "
                    "server.prefix (set prefix = \"\" for the Leapwork path at the root).")
    add_config_option(parser)
    parser.add_argument("--host", default=None,
                        help="address to bind (default: server.host, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None,
                        help="port (default: server.port, 9001; 0 picks a free one)")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print("auditmw serve needs uvicorn: pip install 'auditmw[server]'", file=sys.stderr)
        return 2
    from auditmw.server import create_app
    from auditmw.trail import AuditTrail

    config = load_config(args.config)
    host = args.host or config.server.host
    port = config.server.port if args.port is None else args.port
    trail = AuditTrail(config)
    try:
        app = create_app(trail, prefix=config.server.prefix)
        print(f"auditmw: serving the audit trail of {config.store.url} on "
              f"http://{host}:{port}{config.server.prefix}/", file=sys.stderr, flush=True)
        uvicorn.run(app, host=host, port=port, log_level=args.log_level)
    finally:
        trail.close()
    return 0
