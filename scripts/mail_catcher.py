"""A local SMTP server for development: prints each mail and saves it under instance/mails/."""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

MAILS_DIR = Path(__file__).resolve().parent.parent / "instance" / "mails"


class PrintAndSave:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        MAILS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        (MAILS_DIR / f"{stamp}.eml").write_bytes(envelope.content)
        text = message.get_body(preferencelist=("plain",))
        print(
            "\n".join(
                [
                    "=" * 72,
                    f"Courriel pour {', '.join(envelope.rcpt_tos)} — {message['Subject']}",
                    "-" * 72,
                    text.get_content() if text else "(pas de texte brut)",
                    "=" * 72,
                ]
            ),
            flush=True,
        )
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=1025)
    arguments = parser.parse_args()
    controller = Controller(PrintAndSave(), hostname="127.0.0.1", port=arguments.port)
    controller.start()
    print(
        f"Mail catcher listening on 127.0.0.1:{arguments.port}; copies in {MAILS_DIR}", flush=True
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
