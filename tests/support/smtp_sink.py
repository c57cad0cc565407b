"""A real SMTP server for the test suite (aiosmtpd over TCP).

Every accepted message is parsed with Python's e-mail package and written as one JSON
file (envelope, headers, decoded text and HTML parts) into DIR, so the Rust tests can
check what a mail client would see. Prints READY once it accepts connections.

Recipients whose local part starts with "bounce" are refused with 550, as a server
refuses a mailbox that does not exist.

usage: python3 smtp_sink.py PORT DIR
"""
import asyncio
import json
import os
import sys
import time
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # A mailbox that does not exist, for tests of mails refused for good.
        if address.split("@")[0].startswith("bounce"):
            return "550 5.1.1 <%s>: Recipient address rejected: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "inline_images": [
                {
                    "content_id": str(part["Content-ID"]),
                    "content_type": part.get_content_type(),
                    "size": len(part.get_content()),
                }
                for part in message.walk()
                if part.get_content_maintype() == "image"
            ],
            "attachments": [
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "method": part.get_param("method"),
                    "content": part.get_content() if part.get_content_maintype() == "text" else None,
                }
                for part in message.iter_attachments()
            ],
        }
        self.count += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.count:05d}.json"
        tmp = os.path.join(self.directory, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        # Rename so a reader never sees a half-written file.
        os.replace(tmp, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("READY", flush=True)
    try:
        # Stops when the test kills us or closes our stdin.
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
