"""Webhook delivery connects to the addresses it checked (no DNS rebinding), with Host, SNI and the certificate
still on the host name.

DNS and the internet are outside the machine, so they are faked at the boundary: ``socket.getaddrinfo`` answers
for the test names, and a socket that tries to reach a non-loopback address is refused as an unreachable
host would refuse it (and recorded), so nothing leaves the machine. Receivers are real servers on loopback.
"""

import datetime
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from screening import webhook_transport

PUBLIC = "93.184.216.34"  # a global address; nothing is ever sent there (see GuardedSocket)
NAME = "hooks.example.test"


class DNS:
    """A fake resolver for the names in ``answers`` (each a list of answers, one per lookup, the last repeated)."""

    def __init__(self, monkeypatch, answers: dict[str, list[list[str]]]):
        self.answers, self.lookups = answers, []
        self._real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        if host not in self.answers:
            return self._real(host, port, family, type, proto, flags)
        self.lookups.append(host)
        queue = self.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]


@pytest.fixture
def connects(monkeypatch):
    """Every address a socket connects to; the outside world (anything not loopback) refuses the connection."""
    seen = []

    class GuardedSocket(socket.socket):
        def connect(self, address):
            seen.append(address[0])
            if not ipaddress.ip_address(address[0]).is_loopback:
                raise ConnectionRefusedError(f"{address[0]} is outside the test machine")
            return super().connect(address)

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    return seen


def test_a_name_that_rebinds_to_loopback_after_the_check_never_reaches_it(settings, monkeypatch, receiver, connects):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    port = receiver.server.server_port
    # The attacker's DNS: a public address for the check, then loopback (TTL 0) for whoever asks next.
    dns = DNS(monkeypatch, {NAME: [[PUBLIC], ["127.0.0.1"]]})

    with pytest.raises(webhook_transport.WebhookError) as failed:
        webhook_transport.http_post(url=f"http://{NAME}:{port}/hook", body=b"{}", headers={})

    assert failed.value.retryable  # the public host did not answer: a later attempt may reach it
    assert dns.lookups == [NAME]  # resolved once
    assert connects == [PUBLIC]  # connected only to the address that was checked
    assert receiver.requests == []


def test_a_name_with_one_private_address_among_public_ones_is_refused_without_connecting(
    settings, monkeypatch, receiver, connects
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    DNS(monkeypatch, {NAME: [[PUBLIC, "127.0.0.1"]]})

    with pytest.raises(webhook_transport.WebhookError) as failed:
        webhook_transport.http_post(url=f"http://{NAME}:{receiver.server.server_port}/hook", body=b"{}", headers={})

    assert not failed.value.retryable
    assert "127.0.0.1" in str(failed.value)
    assert connects == []
    assert receiver.requests == []


def test_delivery_to_a_name_keeps_the_host_header_and_resolves_once(monkeypatch, receiver, connects):
    # Tests allow private addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES): the receiver is on loopback.
    port = receiver.server.server_port
    dns = DNS(monkeypatch, {NAME: [["127.0.0.1"], [PUBLIC]]})

    assert (
        webhook_transport.http_post(url=f"http://{NAME}:{port}/hook?x=1", body=b'{"a":1}', headers={"X-A": "b"}) == 200
    )

    assert dns.lookups == [NAME]
    assert connects == ["127.0.0.1"]
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"{NAME}:{port}"
    assert request["path"] == "/hook?x=1" and request["body"] == b'{"a":1}' and request["headers"]["X-A"] == "b"


def test_delivery_to_an_ip_address_url_still_works(receiver):
    assert webhook_transport.http_post(url=receiver.url, body=b"{}", headers={}) == 200
    assert len(receiver.requests) == 1


# --- HTTPS: SNI and the certificate are checked against the host name, not the pinned address -------------


def _certificate_authority(tmp_path, *, server_name: str):
    """A throwaway CA (its PEM at tmp_path/ca.pem) and a server certificate for ``server_name`` signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject, key, issuer, issuer_key, *, ca: bool, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
            ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Test CA", ca_key, "Test CA", ca_key, ca=True)
    server = certificate(server_name, server_key, "Test CA", ca_key, ca=False, names=[server_name])
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(
        server.public_bytes(pem)
        + server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tmp_path / "ca.pem", tmp_path / "server.pem"


@pytest.fixture
def tls_receiver():
    """Start an HTTPS receiver on loopback with a given certificate; records SNI names and requests."""
    servers = []

    def start(certificate_path):
        seen = {"sni": [], "requests": []}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                seen["requests"].append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate_path)
        context.sni_callback = lambda _sock, name, _context: seen["sni"].append(name)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_port, seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_https_delivery_sends_sni_and_verifies_the_certificate_for_the_host_name(
    tmp_path, monkeypatch, tls_receiver, connects
):
    ca, certificate = _certificate_authority(tmp_path, server_name=NAME)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # OpenSSL's default trust store, read by create_default_context
    port, seen = tls_receiver(certificate)
    DNS(monkeypatch, {NAME: [["127.0.0.1"]]})

    assert webhook_transport.http_post(url=f"https://{NAME}:{port}/hook", body=b"{}", headers={}) == 204

    assert connects == ["127.0.0.1"]
    assert seen["sni"] == [NAME]
    assert [request["Host"] for request in seen["requests"]] == [f"{NAME}:{port}"]


def test_https_delivery_refuses_a_certificate_for_another_name(tmp_path, monkeypatch, tls_receiver):
    ca, certificate = _certificate_authority(tmp_path, server_name="somebody-else.example.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    port, seen = tls_receiver(certificate)
    DNS(monkeypatch, {NAME: [["127.0.0.1"]]})

    with pytest.raises(webhook_transport.WebhookError, match="certificate verify failed"):
        webhook_transport.http_post(url=f"https://{NAME}:{port}/hook", body=b"{}", headers={})

    assert seen["requests"] == []
