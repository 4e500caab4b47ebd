"""`python -m google_emulator`: serve the emulator on its own."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from .emulator import DEFAULT_SEED_FILE, Emulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="google-emulator", description="A local look-alike of Google OAuth and Calendar."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument(
        "--seed", default=str(DEFAULT_SEED_FILE), help="seed JSON (default: the repository's)"
    )
    parser.add_argument(
        "--public-base-url", default=None, help="root URL for emitted links (default: from request)"
    )
    parser.add_argument("--state-file", default=None, help="keep state in this JSON file across restarts")
    args = parser.parse_args(argv)
    emulator = Emulator.from_seed_file(
        args.seed, public_base_url=args.public_base_url, state_file=args.state_file
    )
    print(
        f"Google emulator on http://{args.host}:{args.port}  "
        "(OAuth: /accounts/o/oauth2/v2/auth, /oauth2/token; Calendar: /calendar/v3/)"
    )
    run_simple(args.host, args.port, emulator.wsgi_app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
