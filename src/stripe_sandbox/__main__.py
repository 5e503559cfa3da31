"""``python -m stripe_sandbox``: run the offline Stripe until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from . import DEFAULT_API_VERSION
from .sandbox import Config
from .server import Runner

EPILOG = """\
It serves Stripe's API at 2026-10-28.endive (the stripe SDK 16.x), validating every request
against the SDK's parameter types. Point the client's API base at --public-url
(stripe.StripeClient(key, base_addresses={"api": URL})); sk_test_ keys make test-mode objects,
sk_live_ keys live-mode ones. Webhook endpoints: POST /v1/webhook_endpoints (platform or
connect=true, each with its own secret); --webhook-url/--webhook-secret add one endpoint that
gets every event (a shortcut for the demo).
Hosted pages: account links open /setup/s/..., Checkout opens /c/pay/... (card, Bacs and SEPA
Direct Debit, US bank account, bank transfer).
Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined,
4000 0000 0000 9995 has insufficient funds. Bacs (sort code 108800): 00012345 succeeds,
93333335 fails after three minutes. SEPA: DE89370400440532013000 succeeds.
US (routing 110000000): 000123456789 succeeds.
Control API (no auth): GET /_sandbox lists it; POST /_sandbox/clock {"advance": seconds}
settles bank debits and refunds; see src/stripe_sandbox/README.md.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m stripe_sandbox",
        description="An offline Stripe (API, Connect onboarding, Checkout, webhooks) for tests "
        "and demos.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port", type=int, default=12111, help="port (default %(default)s; 0: any)"
    )
    parser.add_argument(
        "--public-url",
        help="base URL of the hosted pages as browsers reach them (default http://HOST:PORT)",
    )
    parser.add_argument("--webhook-url", help="where events are POSTed (none: no webhooks)")
    parser.add_argument(
        "--webhook-secret", default="whsec_test", help="endpoint secret that signs webhooks"
    )
    parser.add_argument(
        "--webhook-retry-delays",
        default="2,10,30,120,300",
        help="seconds between delivery attempts, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--webhook-timeout", type=float, default=10.0, help="seconds per delivery attempt"
    )
    parser.add_argument(
        "--state", help="JSON file: objects are saved after each change and loaded at start"
    )
    parser.add_argument(
        "--spec",
        help="parameter extract (JSON) to validate requests against; default: the one shipped "
        "with the sandbox, built from the stripe SDK's params types (API 2026-10-28.endive) by "
        "python -m stripe_sandbox.schema_build",
    )
    parser.add_argument(
        "--livemode",
        action="store_true",
        help="objects and events carry livemode=true (as with an sk_live_ key, which is also "
        "accepted per request)",
    )
    parser.add_argument(
        "--api-key-prefix", default="sk_test_", help="API keys must start with this"
    )
    parser.add_argument(
        "--api-version", default=DEFAULT_API_VERSION, help="api_version stamped on events"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    log = logging.getLogger("stripe_sandbox")
    try:
        delays = tuple(float(d) for d in args.webhook_retry_delays.split(",") if d.strip())
    except ValueError:
        print("--webhook-retry-delays: give seconds like 2,10,30", file=sys.stderr)
        return 2
    config = Config(
        public_url=(args.public_url or "").rstrip("/"),
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        webhook_retry_delays=delays,
        webhook_timeout=args.webhook_timeout,
        api_key_prefix=args.api_key_prefix,
        api_version=args.api_version,
        livemode=args.livemode,
    )
    try:
        runner = Runner(
            config, host=args.host, port=args.port, state_path=args.state, spec_path=args.spec
        )
    except OSError as exc:
        print(f"Cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    runner.start()
    schema = runner.sandbox.schema
    log.info("Stripe sandbox listening on %s (hosted pages at %s)", runner.url, config.public_url)
    log.info("validating requests against %s (API %s)", schema.source, schema.api_version)
    log.info("webhooks: %s", config.webhook_url or "none (set with POST /_sandbox/config)")
    if args.state:
        log.info("state file: %s", args.state)
    stop.wait()
    log.info("stopping")
    runner.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
