"""`python -m microsoft_emulator`: serve the emulator on its own."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from .emulator import DEFAULT_SEED_FILE, Emulator, load_seed_file


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="microsoft-emulator", description="A local look-alike of Microsoft 365."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9102)
    parser.add_argument("--seed", default=str(DEFAULT_SEED_FILE))
    parser.add_argument("--public-base-url", default=None)
    parser.add_argument("--state-file", default=None, help="keep state across restarts in this JSON file")
    parser.add_argument("--allow-http-notifications", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    emulator = Emulator(
        seed=load_seed_file(args.seed),
        public_base_url=args.public_base_url,
        state_file=args.state_file,
        save_delay=1.0,
    )
    emulator.config.allow_http_notification_urls = args.allow_http_notifications
    root = f"http://{args.host}:{args.port}"
    print(f"Microsoft emulator: login {root}/login  graph {root}/graph/v1.0  control {root}/_control")
    run_simple(args.host, args.port, emulator.wsgi_app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
