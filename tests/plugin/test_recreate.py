"""Descriptor -> proto text: the re-created files mean exactly what the originals mean."""

from __future__ import annotations

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from eventapi.generators.protoc_plugin import recreate_request

from .conftest import Case, CaseFactory
from .helpers import descriptor_set, model_view


def test_model_of_recreated_text_equals_model_of_original(case: Case) -> None:
    original, recreated = case.original(), case.recreated()
    assert case.files
    for name in case.files:
        want = model_view(original, str(case.root / name))
        got = model_view(recreated, str(case.recreated_root / name))
        for key in want:
            assert got[key] == want[key], f"{case.name}/{name}: {key} differs"


def test_protoc_compiles_recreated_text_to_the_same_descriptors(case: Case, tmp_path) -> None:
    # The SDK hands the workspace texts to protoc for PROTOBUF events; the `_pb2` modules embed
    # these descriptors byte for byte, so equal descriptors mean equal generated classes.
    want = descriptor_set(case.root, case.files, tmp_path)
    got = descriptor_set(case.recreated_root, case.files, tmp_path)
    for name in case.files:
        if got[name] != want[name]:
            a = descriptor_pb2.FileDescriptorProto.FromString(want[name])
            b = descriptor_pb2.FileDescriptorProto.FromString(got[name])
            assert str(b) == str(a), f"{case.name}/{name}"
            raise AssertionError(f"{case.name}/{name}: same fields, different byte order")


def test_recreation_is_deterministic(case: Case) -> None:
    again = plugin_pb2.CodeGeneratorRequest.FromString(case.request.SerializeToString())
    texts = {name: rec.text for name, rec in recreate_request(again).items()}
    assert texts == {name: rec.text for name, rec in case.sources.items()}


def test_builtin_idl_and_well_known_types_are_not_recreated(case: Case) -> None:
    names = {f.name for f in case.request.proto_file}
    assert "eventapi/v1/eventapi.proto" in names
    assert set(case.sources) == set(case.files)


def test_comments_survive_including_protoc_trailing_quirks(make_case: CaseFactory) -> None:
    case = make_case("comments")
    ws = case.recreated()
    f = ws.files[str(case.recreated_root / "notes.proto")]
    note = next(m for m in f.messages if m.name == "NoteTaken")
    comments = {fld.name: fld.comment for fld in note.fields}
    assert note.comment == "trailing on the message line"
    assert comments["note_id"] == "same-line trailing"
    # protoc makes these trailing comments; our parser (and so the CLI) does not.
    assert comments["text"] == ""
    assert comments["last"] == ""
    assert comments["author"] == "Javadoc style."
    assert comments["stars"] == "a bullet\nanother bullet"
    bus = f.services[0]
    assert bus.comment == "The note bus.\n\nA second paragraph after an empty comment line."
    assert [op.comment for op in bus.operations] == [
        "Block comment on an rpc,\nwith stars.",
        "trailing after the brace",
        "eventapi:ignore EA210",
    ]
