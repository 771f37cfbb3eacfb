"""Pins the Python naming rules documented in generator/naming.py."""

from __future__ import annotations

import keyword

import pytest

from generator import naming


@pytest.mark.parametrize(
    "tl_name, expected",
    [
        ("req_pq_multi", "ReqPqMulti"),
        ("chatInviteExported", "ChatInviteExported"),
        ("server_DH_inner_data", "ServerDHInnerData"),
        ("p_q_inner_data_dc", "PQInnerDataDc"),
        ("resPQ", "ResPQ"),
        ("messages.exportChatInvite", "ExportChatInvite"),
        ("help.configSimple", "ConfigSimple"),
        ("true", "True_"),
        ("null", "Null"),
        ("boolFalse", "BoolFalse"),
    ],
)
def test_class_name(tl_name: str, expected: str) -> None:
    assert naming.class_name(tl_name) == expected


@pytest.mark.parametrize(
    "tl_name, expected",
    [
        ("chatInviteExported", "chat_invite_exported"),
        ("req_pq_multi", "req_pq_multi"),
        ("server_DH_inner_data", "server_dh_inner_data"),
        ("server_DH_params_ok", "server_dh_params_ok"),
        ("resPQ", "res_pq"),
        ("p_q_inner_data", "pq_inner_data"),
        ("messages.exportChatInvite", "export_chat_invite"),
        ("inputPeerChannel", "input_peer_channel"),
        ("true", "true"),
        ("inputMediaUploadedPhoto", "input_media_uploaded_photo"),
        ("updateShortSentMessage", "update_short_sent_message"),
    ],
)
def test_module_name(tl_name: str, expected: str) -> None:
    assert naming.module_name(tl_name) == expected


@pytest.mark.parametrize(
    "tl_name, expected",
    [
        ("from", "from_"),
        ("self", "self_"),
        ("cls", "cls_"),
        ("lambda", "lambda_"),
        ("None", "None_"),
        ("CONSTRUCTOR_ID", "CONSTRUCTOR_ID_"),
        ("from_bytes", "from_bytes_"),
        ("peer", "peer"),
        ("id", "id"),
        ("hash", "hash"),
        ("type", "type"),
        ("flags2", "flags2"),
    ],
)
def test_param_name(tl_name: str, expected: str) -> None:
    assert naming.param_name(tl_name) == expected


def test_reserved_members_all_get_an_underscore() -> None:
    for member in naming.RESERVED_MEMBERS:
        assert naming.param_name(member) == member + "_"


def test_namespace_of() -> None:
    assert naming.namespace_of("messages.exportChatInvite") == "messages"
    assert naming.namespace_of("req_pq_multi") is None


def test_generated_names_are_valid_identifiers() -> None:
    for tl_name in ("true", "false", "none", "import", "class_", "from", "a_b_c", "x.yield"):
        for name in (naming.class_name(tl_name), naming.module_name(tl_name)):
            assert name.isidentifier() and not keyword.iskeyword(name), (tl_name, name)
    for tl_name in ("true", "from", "import", "None", "async", "self", "a_b_c"):
        name = naming.param_name(tl_name)
        assert name.isidentifier() and not keyword.iskeyword(name), (tl_name, name)
