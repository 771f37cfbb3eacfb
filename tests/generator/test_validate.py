"""The validation pass: constructor ids, flag and type references, unique names."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from generator.model import Combinator
from generator.parser import parse_files, parse_schema
from generator.validate import SchemaIdWarning, canonical_line, check_ids, compute_id, validate
from tlruntime.errors import SchemaError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MTPROTO = ROOT / "schema" / "mtproto.tl"
API = ROOT / "schema" / "api.tl"

# Enough of a schema for the snippets below to reference real types.
PRELUDE = "inputPeerEmpty#7f3b18ea = InputPeer;\n"


def one(line: str) -> Combinator:
    (c,) = parse_schema(line).combinators
    return c


# --- constructor ids -------------------------------------------------------------

KNOWN_IDS = [
    "messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true "
    "peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string "
    "subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;",
    "chatInviteExported#a22cbd96 flags:# revoked:flags.0?true permanent:flags.5?true request_needed:flags.6?true "
    "link:string admin_id:long date:int start_date:flags.4?int expire_date:flags.1?int usage_limit:flags.2?int "
    "usage:flags.3?int requested:flags.7?int subscription_expired:flags.10?int title:flags.8?string "
    "subscription_pricing:flags.9?StarsSubscriptionPricing = ExportedChatInvite;",
    "resPQ#05162463 nonce:int128 server_nonce:int128 pq:bytes server_public_key_fingerprints:Vector<long> = ResPQ;",
    "invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;",
    "msg_container#73f1f8dc messages:vector<message> = MessageContainer;",
    "gzip_packed#3072cfa1 packed_data:bytes = Object;",
    "inputMediaUploadedDocument#37c9330 flags:# nosound_video:flags.3?true force_file:flags.4?true "
    "spoiler:flags.5?true file:InputFile thumb:flags.2?InputFile mime_type:string "
    "attributes:Vector<DocumentAttribute> stickers:flags.0?Vector<InputDocument> video_cover:flags.6?InputPhoto "
    "video_timestamp:flags.7?int ttl_seconds:flags.1?int = InputMedia;",
    # `bytes` inside Vector<> is hashed as written: these ids prove it.
    "updateMessagePollVote#7699f014 poll_id:long peer:Peer options:Vector<bytes> positions:Vector<int> qts:int = Update;",
    "messagePeerVoteMultiple#4628f6e6 peer:Peer options:Vector<bytes> date:int = MessagePeerVote;",
    # Other libraries' spellings of the same lines (Telethon's and TDLib's mtproto files, tdesktop's
    # scheme.tl, TDLib's secret_api.tl): `%Message` hashes as the bare name `message`.
    "msg_container#73f1f8dc messages:vector<%Message> = MessageContainer;",
    "message#5bb8e511 msg_id:long seqno:int bytes:int body:Object = Message;",
    "future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> = FutureSalts;",
    "help.configSimple#d997c3c5 date:int expires:int dc_id:int ip_port_list:Vector<ipPort> = help.ConfigSimple;",
    "decryptedMessage#91cc4674 flags:# random_id:long ttl:int message:string media:flags.9?DecryptedMessageMedia "
    "entities:flags.7?Vector<MessageEntity> via_bot_name:flags.11?string reply_to_random_id:flags.3?long "
    "grouped_id:flags.17?long = DecryptedMessage;",
    "documentAttributeAudio#9852f9c6 flags:# voice:flags.10?true duration:int title:flags.0?string "
    "performer:flags.1?string waveform:flags.2?bytes = DocumentAttribute;",
]


@pytest.mark.parametrize("line", KNOWN_IDS, ids=lambda line: line.split("#")[0])
def test_compute_id_matches_known_ids(line: str) -> None:
    c = one(line)
    assert c.explicit_id is not None
    assert compute_id(c) == c.explicit_id, canonical_line(c)


def test_canonical_line() -> None:
    assert canonical_line(one("invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;")) == (
        "invokeWithLayer X:Type layer:int query:!X = X"
    )
    assert canonical_line(one("a#1 flags:# t:flags.0?true b:flags.1?bytes c:Vector<bytes> d:%T = R;")) == (
        "a flags:# b:flags.1?string c:Vector bytes d:t = R"
    )
    # `%T` is hashed as T's bare name, the namespace kept (msg_container's id needs `vector message`).
    assert canonical_line(one("a#1 v:vector<%ns.Thing> w:%ns.Thing = R;")) == "a v:vector ns.thing w:ns.thing = R"
    # A parameter *named* bytes keeps its name.
    assert canonical_line(one("msg#1 bytes:int = M;")) == "msg bytes:int = M"
    assert canonical_line(one("g#1 l:Vector<Vector<long>> = Vector<int>;")) == "g l:Vector Vector long = Vector int"


def test_ip_port_secret_hashes_with_bytes_kept() -> None:
    c = one("ipPortSecret#37982646 ipv4:int port:int secret:bytes = IpPort;")
    assert compute_id(c) != 0x37982646
    assert compute_id(one("ipPortSecret ipv4:int port:int secret:string = IpPort;")) == 0x402D9B47


def test_fixture_validates_and_id_less_lines_get_the_computed_id() -> None:
    schema = parse_files([FIXTURES / "constructs.tl"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = validate(schema)
    by_name = {entry.combinator.name: entry for entry in result.combinators}
    tls = by_name["tlsBlockString"]
    assert tls.id == tls.computed_id == compute_id(tls.combinator)
    assert by_name["invokeWithLayer"].id == 0xDA9B0D0D
    assert by_name["boolTrue"].id == by_name["boolTrue"].computed_id == 0x997275B5
    # The fixture's made-up ids (entry, box, pair, ...) are mismatches: kept, reported, warned.
    mismatched = {m.combinator.name for m in result.mismatches}
    assert "pair" in mismatched and "boolTrue" not in mismatched
    assert by_name["pair"].id == 1 and by_name["pair"].computed_id != 1
    assert len(caught) == len(result.mismatches)
    assert all(issubclass(w.category, SchemaIdWarning) for w in caught)


def test_mismatch_warning_names_line_name_and_both_ids() -> None:
    schema = parse_schema("\n" + PRELUDE + "foo#12345678 a:int = Foo;\n", "x.tl")
    with pytest.warns(SchemaIdWarning) as caught:
        result = validate(schema)
    (mismatch,) = result.mismatches
    assert mismatch.given == 0x12345678
    assert mismatch.computed == compute_id(mismatch.combinator)
    (warning,) = caught
    text = str(warning.message)
    assert "x.tl:3" in text and "foo" in text and "#12345678" in text
    assert f"#{mismatch.computed:08x}" in text
    assert result.combinators[1].id == 0x12345678


# --- semantic errors, each at the offending token ---------------------------------------

BROKEN = [
    # (schema text, line, column, message fragment)
    pytest.param("a#1 x:flags.0?int = A;", 1, 7, "flag field 'flags' is not declared", id="undeclared-flag-field"),
    pytest.param("a#1 x:flags2.0?int flags2:# = A;", 1, 7, "declared after 'x'", id="flag-field-declared-later"),
    pytest.param("a#1 flags:# x:flags.32?int = A;", 1, 15, "flag bit 32 is out of range 0..31", id="bit-32"),
    pytest.param("a#1 flags:# x:flags.0?# = A;", 1, 15, "cannot itself be conditional", id="conditional-hash"),
    pytest.param("a#1 n:int x:n.0?int = A;", 1, 13, "'n' is not a '#' field", id="flag-on-int"),
    pytest.param("a#1 x:NoSuchType = A;", 1, 7, "unknown type 'NoSuchType'", id="unknown-type"),
    pytest.param("a#1 x:Vector<Nope> = A;", 1, 14, "unknown type 'Nope'", id="unknown-type-in-vector"),
    pytest.param("a#1 x:vector<nope> = A;", 1, 14, "unknown bare type or constructor 'nope'", id="unknown-bare"),
    pytest.param("a#1 x:%Nope = A;", 1, 7, "unknown type 'Nope' in bare reference", id="unknown-percent"),
    pytest.param(
        "a#1 = T;\nb#2 = T;\nc#3 x:vector<%T> = C;", 3, 14,
        "'%T' needs a type with exactly one constructor; T has 2 (a, b)", id="percent-of-two-constructors",
    ),
    pytest.param("a#1 {X:Type} x:!Y = A;", 1, 16, "'!Y' names no generic parameter", id="unknown-generic"),
    pytest.param("a#1 x:Vector = A;", 1, 7, "takes 1 type argument(s), got 0", id="vector-without-arg"),
    pytest.param("a#1 x:int<long> = A;", 1, 7, "takes 0 type argument(s), got 1", id="args-on-int"),
    pytest.param("a#1 = a;", 1, 7, "must be a boxed (capitalised) type", id="bare-result"),
    pytest.param("a#1 = A;\n---functions---\nf#2 = Nope;", 3, 7, "unknown type 'Nope'", id="unknown-result"),
    pytest.param("a#1 x:int x:long = A;", 1, 11, "duplicate parameter 'x'", id="duplicate-param"),
    pytest.param("a#1 from:int from_:int = A;", 1, 14, "both become parameter 'from_'", id="param-python-clash"),
    pytest.param("a#1 = A;\nb#2 = B;\na#3 = C;", 3, 1, "duplicate TL name 'a' (first defined at t.tl:1)", id="duplicate-name"),
    pytest.param("a#1 = A;\nb#1 = B;", 2, 2, "duplicate constructor id #00000001", id="duplicate-id"),
    pytest.param(
        "foo_bar#1 = T;\nfooBar#2 = T;", 2, 1, "both become class types.FooBar", id="class-name-clash"
    ),
    pytest.param(
        "a.foo_bar#1 = T;\na.fooBar#2 = T;", 2, 1, "both become class types.a.FooBar", id="namespaced-clash"
    ),
    pytest.param(
        "aB#1 = T;\na_b#2 = T;", 2, 1, "both become class types.AB", id="underscore-clash"
    ),
]


@pytest.mark.parametrize("text, line, column, fragment", BROKEN)
def test_semantic_errors(text: str, line: int, column: int, fragment: str) -> None:
    schema = parse_schema(text, "t.tl")
    with pytest.raises(SchemaError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaIdWarning)
        validate(schema)
    err = info.value
    assert (err.file, err.line, err.column) == ("t.tl", line, column), str(err)
    assert fragment in err.reason, str(err)
    assert err.source_line == text.split("\n")[line - 1]


def test_same_class_name_in_types_and_functions_is_fine() -> None:
    schema = parse_schema("ping#1 = Pong;\n---functions---\nping_#2 = Pong;\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaIdWarning)
        result = validate(schema)
    assert len(result.combinators) == 2


def test_functions_may_use_generic_results_and_flags2() -> None:
    text = (
        "boolTrue#997275b5 = Bool;\n---functions---\n"
        "invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;\n"
        "f#1 flags:# flags2:# a:flags2.31?Vector<long> b:flags.0?true = Vector<Bool>;\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaIdWarning)
        result = validate(parse_schema(text))
    assert [c.combinator.name for c in result.combinators] == ["boolTrue", "invokeWithLayer", "f"]


# --- the real schema files ------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> tuple[Combinator, ...]:
    return parse_files([MTPROTO, API]).combinators


def test_every_api_id_verifies(real: tuple[Combinator, ...]) -> None:
    api = [c for c in real if c.pos.file == str(API)]
    assert len(api) == 2470
    wrong = [c.name for c in api if c.explicit_id is not None and c.explicit_id != compute_id(c)]
    assert wrong == []
    assert all(c.explicit_id is not None for c in api)


def test_real_id_mismatches_are_exactly_the_three_known_mtproto_lines(real: tuple[Combinator, ...]) -> None:
    with pytest.warns(SchemaIdWarning) as caught:
        checked, mismatches = check_ids(real)
    assert [(m.combinator.name, m.given, m.combinator.pos.line) for m in mismatches] == [
        ("ipPortSecret", 0x37982646, 75),
        ("accessPointRule", 0x4679B65F, 76),
        ("help.configSimple", 0x5A592A6C, 77),
    ]
    assert all(m.combinator.pos.file == str(MTPROTO) for m in mismatches)
    assert len(caught) == 3
    assert "schema/mtproto.tl:75: ipPortSecret: explicit id #37982646" in str(caught[0].message)
    # The explicit id wins; id-less lines get the computed one.
    by_name = {entry.combinator.name: entry for entry in checked}
    assert by_name["ipPortSecret"].id == 0x37982646
    assert by_name["tlsClientHello"].id == by_name["tlsClientHello"].computed_id
    assert len({entry.id for entry in checked}) == len(checked)


def test_real_schema_message_clash_is_reported(real: tuple[Combinator, ...]) -> None:
    """``message`` is defined by both mtproto.tl (``message#5bb8e511``, the bare
    container entry) and api.tl (``message#7600b9d3``): the validator reports it
    rather than resolving it silently.  The emitter settles it explicitly by
    implementing mtproto's ``message``/``msg_container``/``gzip_packed`` by hand
    (``generator.emit.RUNTIME_COMBINATORS``) and removing them before validation.
    """
    with pytest.raises(SchemaError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaIdWarning)
        validate(parse_files([MTPROTO, API]))
    assert (info.value.file, info.value.line, info.value.column) == (str(API), 130, 1)
    assert "duplicate TL name 'message'" in info.value.reason


def test_real_schema_validates_with_updates_module_renamed() -> None:
    """api.tl's constructor ``updates`` and the ``updates.*`` namespace coexist:
    the naming rule puts the constructor in module ``types/updates_.py``."""
    from generator import naming

    validated = validate(parse_files([API]))
    assert len(validated.combinators) > 2400
    assert naming.module_name("updates", {"updates", "messages"}) == "updates_"
    assert naming.module_name("updates.state", {"updates"}) == "state"
    # The same rule on a fixture: both names validate, the module moves aside.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaIdWarning)  # the fixture's ids are placeholders
        validate(parse_schema("stats#1 = T;\nstats.x#2 = T;", "t.tl"))
