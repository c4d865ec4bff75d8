"""A real SMTP server on a free local port (aiosmtpd), keeping every message it receives."""

from __future__ import annotations

import re
import socket
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, subject: str = "", timeout: float = 10.0) -> EmailMessage:
        """The latest message to `to` whose subject holds `subject`, once one has come: some mail
        goes after the answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if m["To"] == to and subject in m["Subject"]]
            if found:
                return found[-1]
            time.sleep(0.02)
        raise AssertionError(f"no message to {to} within {timeout} s")

    def link_in(self, message: EmailMessage) -> str:
        return re.search(r"https?://\S+", message.get_content()).group(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    """`(SMTP_URL, mailbox)` while the block runs."""
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
