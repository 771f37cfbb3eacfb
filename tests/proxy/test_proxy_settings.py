"""What ``Client(proxy=...)`` accepts: settings, tg:// and t.me links, socks5:// and http:// URLs; typed errors otherwise."""

from __future__ import annotations

import pytest
from proxy_support import SECRET_HEX

from tlruntime.client import Client, proxy_setting
from tlruntime.client.dial import describe_route
from tlruntime.errors import TLError
from tlruntime.telegram import HttpProxy, MTProxy, ProxyLinkError, Socks5Proxy
from tlruntime.transports.proxy_secret import MTProxySecret

KEY = bytes.fromhex(SECRET_HEX)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (Socks5Proxy("10.0.0.1", 1080), Socks5Proxy("10.0.0.1", 1080)),
        ("tg://socks?server=10.0.0.1&port=1080", Socks5Proxy("10.0.0.1", 1080)),
        ("https://t.me/socks?server=p.example&port=9&user=u&pass=p", Socks5Proxy("p.example", 9, "u", "p")),
        (f"tg://proxy?server=p.example&port=443&secret=dd{SECRET_HEX}", MTProxy("p.example", 443, MTProxySecret("dd", KEY))),
        (f"http://t.me/proxy?server=p.example&port=443&secret={SECRET_HEX}", MTProxy("p.example", 443, MTProxySecret("plain", KEY))),
        ("socks5://10.0.0.1:1080", Socks5Proxy("10.0.0.1", 1080, rdns=False)),
        ("socks5h://user:p%40ss@p.example:1080/", Socks5Proxy("p.example", 1080, "user", "p@ss", rdns=True)),
        ("http://10.0.0.1:3128", HttpProxy("10.0.0.1", 3128)),
        ("HTTP://a:b@[::1]:3128", HttpProxy("::1", 3128, "a", "b")),
    ],
)
def test_accepted_proxy_values(value: object, expected: object) -> None:
    assert proxy_setting(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        42,
        b"tg://socks?server=h&port=1",
        "ftp://10.0.0.1:21",
        "socks5://10.0.0.1",  # no port
        "socks5://10.0.0.1:99999",
        "socks5://10.0.0.1:x",
        "socks5://user@10.0.0.1:1080",  # user without password
        "http://10.0.0.1:3128/path",
        "http://10.0.0.1:3128?x=1",
        "socks5://:1080",
        "tg://proxy?server=h&port=1&secret=abcd",
        "tg://nonsense",
    ],
)
def test_refused_proxy_values_are_typed(value: object) -> None:
    with pytest.raises(ProxyLinkError) as caught:
        proxy_setting(value)  # type: ignore[arg-type]
    assert isinstance(caught.value, TLError)


def test_client_refuses_a_bad_proxy_at_construction() -> None:
    from tlruntime.crypto.rsa import RSAPrivateKey

    key = RSAPrivateKey.generate(1024).public_key
    with pytest.raises(ProxyLinkError):
        Client("127.0.0.1", 1, key, proxy="socks5://nowhere")


def test_routes_are_described_for_errors_and_logs() -> None:
    assert describe_route("1.2.3.4", 443, None) == "1.2.3.4:443"
    assert describe_route("1.2.3.4", 443, Socks5Proxy("p", 1)) == "1.2.3.4:443 via SOCKS5 proxy p:1"
    assert describe_route("1.2.3.4", 443, HttpProxy("p", 2)) == "1.2.3.4:443 via HTTP proxy p:2"
    mtproxy = MTProxy("p", 3, MTProxySecret("ee", KEY, "example.org"))
    assert describe_route("1.2.3.4", 443, mtproxy) == "MTProxy p:3 (ee secret)"
