"""Proxy links parse into typed settings; malformed links raise ProxyLinkError naming the problem."""

from __future__ import annotations

import base64

import pytest

from tlruntime.errors import TLError
from tlruntime.telegram import HttpProxy, MTProxy, ProxyLinkError, Socks5Proxy, parse_proxy_link
from tlruntime.transports.mtproxy import MTProxySecret, ProxySecretError

KEY = bytes.fromhex("0123456789abcdef0123456789abcdef")
EE = b"\xee" + KEY + b"www.example.com"


def _b64(raw: bytes, *, urlsafe: bool = True, padded: bool = False) -> str:
    text = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    return text if padded else text.rstrip("=")


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        (KEY.hex(), MTProxySecret("plain", KEY)),
        (KEY.hex().upper(), MTProxySecret("plain", KEY)),
        ("dd" + KEY.hex(), MTProxySecret("dd", KEY)),
        (EE.hex(), MTProxySecret("ee", KEY, "www.example.com")),
        (_b64(EE), MTProxySecret("ee", KEY, "www.example.com")),
        (_b64(EE, urlsafe=False, padded=True), MTProxySecret("ee", KEY, "www.example.com")),
        (_b64(b"\xdd" + KEY), MTProxySecret("dd", KEY)),
        (_b64(KEY), MTProxySecret("plain", KEY)),
    ],
    ids=("hex", "hex-upper", "dd", "ee-hex", "ee-b64url", "ee-b64std-padded", "dd-b64", "plain-b64"),
)
def test_mtproxy_links_parse(secret: str, expected: MTProxySecret) -> None:
    for link in (
        f"tg://proxy?server=203.0.113.5&port=443&secret={secret.replace('+', '%2B').replace('/', '%2F')}",
        f"https://t.me/proxy?server=203.0.113.5&port=443&secret={secret.replace('+', '%2B').replace('/', '%2F')}",
    ):
        setting = parse_proxy_link(link)
        assert setting == MTProxy("203.0.113.5", 443, expected)


def test_hex_digits_that_only_make_sense_as_base64_are_read_as_base64() -> None:
    text = "abcdef0123456789abcdef"  # 22 hex digits: 11 bytes as hex (no secret), 16 bytes as base64
    assert MTProxySecret.parse(text) == MTProxySecret("plain", base64.b64decode(text + "=="))


def test_dd_is_only_a_prefix_on_17_bytes() -> None:
    # 16 bytes that happen to start with 0xdd are a plain secret, as every proxy reads them.
    assert MTProxySecret.parse("dd" + KEY.hex()[2:]).kind == "plain"


def test_ee_secret_exposes_fake_tls_and_round_trips_as_a_link() -> None:
    setting = parse_proxy_link(f"tg://proxy?server=proxy.example.org&port=8443&secret={_b64(EE)}")
    assert isinstance(setting, MTProxy) and setting.fake_tls
    assert setting.secret.domain == "www.example.com"
    assert parse_proxy_link(setting.to_link()) == setting


def test_socks_links_parse_with_and_without_credentials() -> None:
    assert parse_proxy_link("tg://socks?server=10.0.0.1&port=1080") == Socks5Proxy("10.0.0.1", 1080)
    with_user = parse_proxy_link("https://t.me/socks?server=socks.example&port=1080&user=alice&pass=s%26cret")
    assert with_user == Socks5Proxy("socks.example", 1080, "alice", "s&cret")
    assert parse_proxy_link("tg://socks?server=::1&port=9050") == Socks5Proxy("::1", 9050)


def test_settings_are_dataclasses_checked_at_construction() -> None:
    assert HttpProxy("127.0.0.1", 3128).port == 3128
    with pytest.raises(ProxyLinkError):
        HttpProxy("127.0.0.1", 3128, username="only-user")
    with pytest.raises(ProxyLinkError):
        Socks5Proxy("bad host!", 1080)
    with pytest.raises(ProxyLinkError):
        MTProxy("127.0.0.1", 0, MTProxySecret("plain", KEY))


MALFORMED = {
    "not-a-link": "hello",
    "wrong-scheme": f"ftp://proxy?server=1.2.3.4&port=443&secret={KEY.hex()}",
    "other-host": f"https://example.com/proxy?server=1.2.3.4&port=443&secret={KEY.hex()}",
    "unknown-kind": f"tg://resolve?server=1.2.3.4&port=443&secret={KEY.hex()}",
    "no-secret": "tg://proxy?server=1.2.3.4&port=443",
    "empty-secret": "tg://proxy?server=1.2.3.4&port=443&secret=",
    "no-server": f"tg://proxy?port=443&secret={KEY.hex()}",
    "bad-server": f"tg://proxy?server=a%20b&port=443&secret={KEY.hex()}",
    "no-port": f"tg://proxy?server=1.2.3.4&secret={KEY.hex()}",
    "port-text": f"tg://proxy?server=1.2.3.4&port=https&secret={KEY.hex()}",
    "port-zero": f"tg://proxy?server=1.2.3.4&port=0&secret={KEY.hex()}",
    "port-big": f"tg://proxy?server=1.2.3.4&port=65536&secret={KEY.hex()}",
    "port-negative": f"tg://proxy?server=1.2.3.4&port=-1&secret={KEY.hex()}",
    "short-secret": "tg://proxy?server=1.2.3.4&port=443&secret=0123456789abcdef",
    "dd-short": f"tg://proxy?server=1.2.3.4&port=443&secret=dd{KEY.hex()[:-4]}",
    "dd-long": f"tg://proxy?server=1.2.3.4&port=443&secret=dd{KEY.hex()}00",
    "ee-no-domain": f"tg://proxy?server=1.2.3.4&port=443&secret=ee{KEY.hex()}",
    "ee-bad-domain": f"tg://proxy?server=1.2.3.4&port=443&secret=ee{KEY.hex()}{b'bad domain'.hex()}",
    "unknown-prefix": f"tg://proxy?server=1.2.3.4&port=443&secret=aa{KEY.hex()}",
    "neither-hex-nor-base64": "tg://proxy?server=1.2.3.4&port=443&secret=%21%21%21%21",
    "repeated": f"tg://proxy?server=1.2.3.4&server=5.6.7.8&port=443&secret={KEY.hex()}",
    "socks-user-only": "tg://socks?server=1.2.3.4&port=1080&user=alice",
}


@pytest.mark.parametrize("link", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_links_raise_a_typed_error(link: str) -> None:
    with pytest.raises(ProxyLinkError) as caught:
        parse_proxy_link(link)
    assert isinstance(caught.value, TLError) and isinstance(caught.value, ValueError)


def test_a_non_string_link_is_refused() -> None:
    with pytest.raises(ProxyLinkError):
        parse_proxy_link(b"tg://proxy")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        KEY[:15],
        b"\xdd" + KEY + b"\x00",
        b"\xee" + KEY,
        b"\xee" + KEY + "dömain".encode(),
        b"\xee" + KEY + b"a" * 254,
    ],
    ids=("empty", "15-bytes", "dd-17", "ee-no-domain", "ee-non-ascii", "ee-too-long"),
)
def test_malformed_raw_secrets_raise_proxy_secret_error(raw: bytes) -> None:
    with pytest.raises(ProxySecretError):
        MTProxySecret.parse(raw)


def test_secret_round_trips_to_bytes() -> None:
    for raw in (KEY, b"\xdd" + KEY, EE):
        assert MTProxySecret.parse(raw).to_bytes() == raw
        assert MTProxySecret.parse(raw.hex()).to_bytes() == raw


def test_client_opening_follows_the_secret_kind() -> None:
    from tlruntime.transports import Frame, Obfuscated2
    from tlruntime.transports.fake_tls import FakeTlsClientHandshake, FakeTlsHelloVerifier
    from tlruntime.transports.mtproxy import MTProxyAcceptor

    message = bytes(8) + bytes(8) + (20).to_bytes(4, "little") + bytes(range(20))
    dd = parse_proxy_link(f"tg://proxy?server=127.0.0.1&port=443&secret=dd{KEY.hex()}")
    assert isinstance(dd, MTProxy)
    codec = dd.client_opening(dc_id=4)
    assert isinstance(codec, Obfuscated2) and codec.dc_id == 4
    decision = MTProxyAcceptor(KEY).feed(codec.initial_bytes() + codec.encode(message))
    assert decision is not None and decision.events == [Frame(message)]
    ee = parse_proxy_link(f"tg://proxy?server=127.0.0.1&port=443&secret={_b64(EE)}")
    assert isinstance(ee, MTProxy)
    handshake = ee.client_opening(dc_id=4)
    assert isinstance(handshake, FakeTlsClientHandshake)
    accepted = MTProxyAcceptor(ee.secret, verifier=FakeTlsHelloVerifier(ee.secret)).feed(handshake.client_hello)
    assert accepted is not None and accepted.kind == "fake-tls"
