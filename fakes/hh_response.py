"""The demo's hh.ru side, from a terminal: add a candidate's response to a vacancy on the running fake hh.ru, or
show every response there with its state and the messages the employer (SmartBot) sent.

    python -m fakes.hh_response --vacancy 90000001 --name "Ivan Petrov" --email ivan@example.com
    python -m fakes.hh_response --list

Talks HTTP to the fake's ``/_fake/`` routes only (``make fakes`` runs it on port 8701).
"""

import argparse
import json
import sys
import urllib.request


def _call(base: str, path: str, body: dict | None = None):
    if not base.startswith(("http://", "https://")):
        raise SystemExit("--fake must be an http(s) address")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method="POST" if data else "GET")  # noqa: S310
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
        return json.loads(reply.read() or b"null")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add or list responses on the fake hh.ru.")
    parser.add_argument("--fake", default="http://127.0.0.1:8701", help="the fake hh.ru's address")
    parser.add_argument("--list", action="store_true", help="show every response with its state and messages")
    parser.add_argument("--vacancy", default="90000001", help="the hh.ru vacancy id")
    parser.add_argument("--name", default="Ivan Petrov", help="first and last name")
    parser.add_argument("--email", default="")
    parser.add_argument("--phone", default="")
    parser.add_argument("--city", default="Москва")
    parser.add_argument("--title", default="Python developer")
    parser.add_argument("--skills", default="Python, Django, PostgreSQL")
    args = parser.parse_args(argv)
    if args.list:
        state = _call(args.fake, "/_fake/state")
        for n in state.get("negotiations", []):
            print(f"response {n['id']} to vacancy {n['vacancy_id']}: employer state {n['employer_state']}, "
                  f"candidate sees {n['state']}")  # fmt: skip
            for message in n["messages"]:
                print(f"  [{message['author']}, {message['state']}] {message['text']}")
        return 0
    first, _, last = args.name.partition(" ")
    body = {"vacancy_id": args.vacancy, "first_name": first, "last_name": last or "-", "city": args.city,
            "title": args.title, "skills": [s.strip() for s in args.skills.split(",") if s.strip()]}  # fmt: skip
    if args.email:
        body["email"] = args.email
    if args.phone:
        body["phone"] = args.phone
    created = _call(args.fake, "/_fake/responses", body)
    print(f"response {created['id']} added to hh.ru vacancy {args.vacancy}: import it on SmartBot's Integrations page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
