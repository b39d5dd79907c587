"""The guard itself: a test that reaches the network must fail."""

import socket

import pytest

from tests.conftest import NetworkAccessError


def test_connecting_to_a_public_address_is_refused():
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("203.0.113.10", 443), timeout=0.5)


def test_resolving_a_public_name_is_refused():
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("example.com", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
