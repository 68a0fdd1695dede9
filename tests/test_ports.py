"""The servers the tests start (oxigraph serve, Virtuoso, openness serve) listen on ports
that no client socket can hold: a port in the kernel's ephemeral range may be taken by a
connection, or by the very probe that waits for the server (TCP self-connect), and the
server then fails to listen (CI saw Virtuoso's "Failed HTTP listen")."""

from __future__ import annotations

import socket

from conftest import ephemeral_ports, free_port


def test_a_free_port_is_never_one_a_client_socket_is_given() -> None:
    ephemeral = ephemeral_ports()
    ports = [free_port() for _ in range(50)]
    assert not [p for p in ports if p in ephemeral], ephemeral


def test_a_free_port_can_be_listened_on() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            assert client.getpeername()[1] == port
