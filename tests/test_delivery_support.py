"""The test collector itself (support/receiver.py) decodes and checks what it is sent."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request

from support.events import make_event
from support.receiver import Receiver


def test_receiver_decodes_what_it_is_sent() -> None:
    with Receiver(signing_key="k") as receiver:
        raw = json.dumps([make_event(1)]).encode()
        request = urllib.request.Request(receiver.url, data=raw, method="POST", headers={
            "Content-Type": "application/json",
            "X-Auditmw-Signature": "sha256=" + hmac.new(b"k", raw, hashlib.sha256).hexdigest()})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        assert len(receiver.events) == 1
        assert receiver.requests[0]["signature_ok"] is True
