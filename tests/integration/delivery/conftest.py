"""Fixtures for the delivery tests: a local webhook peer (see
peer_clients.WebhookPeer)."""

import pytest

from peer_clients import WebhookPeer


@pytest.fixture
def webhook_peer(tmp_path):
    peer = WebhookPeer(tmp_path / "peer")
    yield peer
    peer.stop()
