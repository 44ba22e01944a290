"""``python -m fakes`` (``make fakes``): fake hh.ru, Telegram and Avito on loopback for the demo, until Ctrl-C.

Ports 8701 (hh.ru), 8702 (Telegram Bot API), 8703 (Avito). ``make demo FAKES=1`` points the app at them
(docs/integrations.md, "Trying it on the demo").
"""

import argparse
import threading

from .avito import FakeAvito
from .hh import FakeHH
from .telegram import DEFAULT_TOKEN, DEFAULT_USERNAME, FakeTelegram


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake hh.ru, Telegram and Avito servers for the demo.")
    parser.add_argument("--site-url", default="http://127.0.0.1:8000", help="the demo's address (Avito's redirect)")
    parser.add_argument("--hh-port", type=int, default=8701)
    parser.add_argument("--telegram-port", type=int, default=8702)
    parser.add_argument("--avito-port", type=int, default=8703)
    args = parser.parse_args(argv)
    hh = FakeHH().start(port=args.hh_port)
    telegram = FakeTelegram().start(port=args.telegram_port)
    avito = FakeAvito(redirect_uri=args.site_url.rstrip("/") + "/responses/integrations/callback/").start(
        port=args.avito_port
    )
    print(f"fake hh.ru    {hh.base_url}  employer 'Demo Employer', vacancies {', '.join(hh.vacancy_ids)}")
    print(f"fake Telegram {telegram.base_url}  bot token {DEFAULT_TOKEN} (@{DEFAULT_USERNAME})")
    print(f"fake Avito    {avito.base_url}")
    print("Add an hh.ru response:  python -m fakes.hh_response --vacancy 90000001 --name 'Ivan Petrov' --email ...")
    print("Play the candidate:     python -m fakes.telegram_candidate --link 'https://t.me/...?start=...'")
    print("Ctrl-C stops them.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for fake in (hh, telegram, avito):
            fake.stop()


if __name__ == "__main__":
    main()
