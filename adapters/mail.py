"""Email of invitation and reset links, by the standard library's smtplib to `SMTP_URL`.

`SMTP_URL` is smtp://[user:password@]host:port (or smtps:// for TLS from the start, and
smtp://...?starttls=1 to upgrade). Without it nothing is sent and the caller shows the link
(`tracker invite` prints it).
"""

from __future__ import annotations

import logging
import os
import smtplib
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_SENDER = "Careers Hub Tracker <no-reply@careers-hub-tracker.invalid>"
TIMEOUT_SECONDS = 10


def smtp_url(environ: dict[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    return environ.get("SMTP_URL") or None


def send(url: str, to: str, subject: str, body: str, sender: str | None = None) -> None:
    """Send one plain-text message; errors of the connection or the server are raised."""
    parts = urlsplit(url)
    message = EmailMessage()
    message["From"] = sender or os.environ.get("MAIL_FROM") or DEFAULT_SENDER
    message["To"], message["Subject"] = to, subject
    message.set_content(body)
    secure = parts.scheme == "smtps"
    connect = smtplib.SMTP_SSL if secure else smtplib.SMTP
    host, port = parts.hostname or "127.0.0.1", parts.port or (465 if secure else 25)
    with connect(host, port, timeout=TIMEOUT_SECONDS) as server:
        if parse_qs(parts.query).get("starttls") == ["1"]:
            server.starttls()
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(message)


class Outbox:
    """Work done after the answer has gone: one thread per process, in order; a failure is
    logged, since no one is waiting to be told."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")

    def submit(self, work, *args) -> Future:
        future = self._pool.submit(work, *args)
        future.add_done_callback(_log_failure)
        return future

    def drain(self) -> None:
        """Wait until everything submitted so far has been done."""
        self.submit(lambda: None).result()


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        logging.getLogger(__name__).error("mail not sent", exc_info=future.exception())


OUTBOX = Outbox()


def invitation_text(name: str, link: str, days: int) -> tuple[str, str]:
    """The subject and body of an invitation."""
    return (
        "You are invited to Careers Hub Tracker",
        f"Hello {name},\n\nYou have been invited to Careers Hub Tracker. Choose your password "
        f"here (the link works once, for {days} days):\n\n{link}\n\n"
        "If you did not expect this, ignore this message.\n",
    )


def reset_text(link: str, days: int) -> tuple[str, str]:
    return (
        "Reset your Careers Hub Tracker password",
        f"Someone asked to reset the password of this address. Choose a new one here (the link "
        f"works once, for {days} days):\n\n{link}\n\nIf it was not you, ignore this message: "
        "your password is unchanged.\n",
    )


def link_to(base_url: str, path: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/dashboard/{path}/{secret}"
