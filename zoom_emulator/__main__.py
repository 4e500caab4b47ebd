"""`python -m zoom_emulator` / `rendez zoom-emulator`: serve the emulator on its own."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from .emulator import DEFAULT_SEED_FILE, Emulator


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="zoom-emulator", description="A local look-alike of the Zoom API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument(
        "--seed", default=str(DEFAULT_SEED_FILE), help="seed JSON (default: the repository's)"
    )
    parser.add_argument("--state-file", default=None, help="keep state in this JSON file across restarts")
    parser.add_argument(
        "--public-base-url", default=None, help="root URL for emitted links (default: from request)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    emulator = Emulator.from_seed_file(
        args.seed, state_file=args.state_file, public_base_url=args.public_base_url
    )
    print(f"Zoom emulator on http://{args.host}:{args.port}  (OAuth: /oauth/, API: /v2/, portal: /)")
    run_simple(args.host, args.port, emulator.wsgi_app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
