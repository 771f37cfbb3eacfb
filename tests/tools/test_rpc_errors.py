"""Generated RPC error classes: one per known name, under one base class per code."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import class_name_of, error_classes, render_errors, write_errors
from generator.facts import ErrorFact, Facts, load_facts
from tlruntime import errors
from tlruntime.errors import (
    BadRequestError,
    FloodError,
    FloodWaitError,
    ForbiddenError,
    GenerationError,
    InternalServerError,
    NotAcceptableError,
    RPCError,
    SeeOtherError,
    TLError,
    UnauthorizedError,
    rpc_error_from,
)
from tlruntime.tl.functions import InvokeWithLayer
from tlruntime.tl.functions.help import GetConfig
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.types import InputPeerEmpty


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The module rendered into a scratch directory and imported from there (not the layer's copy)."""
    out = tmp_path_factory.mktemp("layer")
    path = write_errors(out, "scratch")
    spec = importlib.util.spec_from_file_location("scratch_errors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rendering_is_deterministic_and_matches_the_layer_copy() -> None:
    text = render_errors()
    assert text == render_errors()
    layer_copy = Path(errors.__file__).parent / "tl" / "errors.py"
    assert layer_copy.read_text(encoding="utf-8") == text, "run `make generate`"


def test_every_known_name_has_a_class_under_its_code_bases(rendered) -> None:
    facts = load_facts()
    bases = {303: SeeOtherError, 400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError,
             406: NotAcceptableError, 420: FloodError, 500: InternalServerError}
    assert len(facts.errors) > 400
    for name, fact in facts.errors.items():
        message = name.replace("_XMIN", "_7MIN").replace("_X_", "_7_")
        message = message[:-1] + "7" if message.endswith("_X") else message
        cls = rendered.lookup(message)
        assert cls is not None, name
        assert cls.NAME == name and cls.CODES == fact.codes
        for code in fact.codes:
            assert issubclass(cls, bases[code]), (name, code)


@pytest.mark.parametrize(
    "code, message, cls_name, base, attr, value",
    [
        (400, "CHAT_ID_INVALID", "ChatIdInvalidError", BadRequestError, None, None),
        (420, "FLOOD_WAIT_42", "FloodWaitError", FloodError, "seconds", 42),
        (420, "SLOWMODE_WAIT_9", "SlowmodeWaitError", FloodWaitError, "seconds", 9),
        (420, "FLOOD_PREMIUM_WAIT_3", "FloodPremiumWaitError", FloodWaitError, "seconds", 3),
        (303, "PHONE_MIGRATE_4", "PhoneMigrateError", SeeOtherError, "dc_id", 4),
        (303, "FILE_MIGRATE_2", "FileMigrateError", SeeOtherError, "dc_id", 2),
        (400, "FILE_PART_7_MISSING", "FilePartMissingError", BadRequestError, "value", 7),
        (400, "FILE_PART_0_MISSING", "FilePart0MissingError", BadRequestError, "value", None),
        (406, "PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN", "PreviousChatImportActiveWaitError",
         NotAcceptableError, "minutes", 5),
        (500, "INTERDC_3_CALL_ERROR", "InterdcCallError", InternalServerError, "dc_id", 3),
        (500, "TIMEOUT", "RpcTimeoutError", InternalServerError, None, None),
        (403, "USER_IS_BLOCKED", "UserIsBlockedError", ForbiddenError, None, None),
        (400, "USER_IS_BLOCKED", "UserIsBlockedError", BadRequestError, None, None),
        (400, "SESSION_TOO_FRESH_30", "SessionTooFreshError", BadRequestError, "seconds", 30),
    ],
)
def test_factory_gives_the_generated_class(code, message, cls_name, base, attr, value) -> None:
    error = rpc_error_from(code, message)
    assert type(error).__name__ == cls_name and isinstance(error, base)
    assert isinstance(error, RPCError) and isinstance(error, TLError)
    assert error.code == code and error.message == message
    if attr is not None:
        assert getattr(error, attr) == value
        assert error.value == value


@pytest.mark.parametrize(
    "code, base",
    [(400, BadRequestError), (401, UnauthorizedError), (403, ForbiddenError), (406, NotAcceptableError),
     (420, FloodError), (500, InternalServerError), (303, SeeOtherError)],
)
def test_unknown_name_maps_to_the_code_base_class(code, base) -> None:
    error = rpc_error_from(code, "SOMETHING_NEW_NOBODY_KNOWS")
    assert type(error) is base and error.name == "SOMETHING_NEW_NOBODY_KNOWS"


def test_unknown_code_is_a_plain_rpc_error() -> None:
    error = rpc_error_from(-503, "Timeout")
    assert type(error) is RPCError and error.code == -503


def test_known_name_under_an_undocumented_code_keeps_the_code_honest() -> None:
    # CHAT_ID_INVALID is documented as 400; a 500 with that text must not be caught as a BadRequestError.
    error = rpc_error_from(500, "CHAT_ID_INVALID")
    assert type(error) is InternalServerError


def test_legacy_factory_and_names_keep_working() -> None:
    error = RPCError.from_rpc_error(420, "FLOOD_WAIT_42")
    assert isinstance(error, FloodWaitError) and error.seconds == 42 and error.name == "FLOOD_WAIT_X"


def test_str_names_the_request() -> None:
    request = ExportChatInvite(peer=InputPeerEmpty())
    error = rpc_error_from(400, "CHAT_ID_INVALID", request)
    assert error.request is request and error.request_name == "messages.exportChatInvite"
    assert str(error) == "RPC error 400: CHAT_ID_INVALID (caused by messages.exportChatInvite)"
    wrapped = rpc_error_from(400, "CHAT_ID_INVALID", InvokeWithLayer(layer=229, query=GetConfig()))
    assert str(wrapped).endswith("(caused by help.getConfig via invokeWithLayer)")
    assert str(rpc_error_from(400, "CHAT_ID_INVALID")) == "RPC error 400: CHAT_ID_INVALID"


@pytest.mark.parametrize(
    "name, expected",
    [("CHAT_ID_INVALID", "ChatIdInvalidError"), ("FLOOD_WAIT_X", "FloodWaitError"),
     ("2FA_CONFIRM_WAIT_X", "TwoFaConfirmWaitError"), ("INTERDC_X_CALL_RICH_ERROR", "InterdcCallRichError"),
     ("TIMEOUT", "RpcTimeoutError"), ("SHA256_HASH_INVALID", "Sha256HashInvalidError")],
)
def test_class_naming_rule(name: str, expected: str) -> None:
    assert class_name_of(name) == expected


def test_two_names_for_one_class_are_a_generation_error() -> None:
    facts = Facts(errors={"A_B": ErrorFact("A_B", (400,)), "A_B_X": ErrorFact("A_B_X", (400,))}, methods={})
    with pytest.raises(GenerationError, match="both map to class ABError"):
        error_classes(facts)


def test_generated_module_is_not_imported_with_the_runtime_errors() -> None:
    repo = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {repo!r}); import tlruntime.errors as e; "
        "print('tlruntime.tl.errors' in sys.modules); e.rpc_error_from(400, 'CHAT_ID_INVALID'); "
        "print('tlruntime.tl.errors' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
