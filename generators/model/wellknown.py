"""The Google well-known types as the loader sees them: declarations only, always importable.

These are written from the protobuf documentation (names, fields, numbers) so that a user's
`import "google/protobuf/timestamp.proto";` resolves without protoc's include files. Only what
name resolution and option checking need is declared; protoc-based steps use grpcio-tools' copies.
"""

from __future__ import annotations

_HEADER = 'syntax = "proto3";\npackage google.protobuf;\n'

WELL_KNOWN: dict[str, str] = {
    "google/protobuf/timestamp.proto": _HEADER
    + "message Timestamp { int64 seconds = 1; int32 nanos = 2; }\n",
    "google/protobuf/duration.proto": _HEADER
    + "message Duration { int64 seconds = 1; int32 nanos = 2; }\n",
    "google/protobuf/empty.proto": _HEADER + "message Empty {}\n",
    "google/protobuf/any.proto": _HEADER
    + "message Any { string type_url = 1; bytes value = 2; }\n",
    "google/protobuf/field_mask.proto": _HEADER
    + "message FieldMask { repeated string paths = 1; }\n",
    "google/protobuf/source_context.proto": _HEADER
    + "message SourceContext { string file_name = 1; }\n",
    "google/protobuf/struct.proto": _HEADER
    + """
message Struct { map<string, Value> fields = 1; }
message Value {
  oneof kind {
    NullValue null_value = 1;
    double number_value = 2;
    string string_value = 3;
    bool bool_value = 4;
    Struct struct_value = 5;
    ListValue list_value = 6;
  }
}
enum NullValue { NULL_VALUE = 0; }
message ListValue { repeated Value values = 1; }
""",
    "google/protobuf/wrappers.proto": _HEADER
    + """
message DoubleValue { double value = 1; }
message FloatValue { float value = 1; }
message Int64Value { int64 value = 1; }
message UInt64Value { uint64 value = 1; }
message Int32Value { int32 value = 1; }
message UInt32Value { uint32 value = 1; }
message BoolValue { bool value = 1; }
message StringValue { string value = 1; }
message BytesValue { bytes value = 1; }
""",
    # descriptor.proto: the options messages and their standard fields (for option checking).
    "google/protobuf/descriptor.proto": 'syntax = "proto2";\npackage google.protobuf;\n'
    + """
message FileOptions {
  optional string java_package = 1; optional string java_outer_classname = 8;
  optional bool java_multiple_files = 10; optional bool java_generate_equals_and_hash = 20;
  optional bool java_string_check_utf8 = 27; optional OptimizeMode optimize_for = 9;
  optional string go_package = 11; optional bool cc_generic_services = 16;
  optional bool java_generic_services = 17; optional bool py_generic_services = 18;
  optional bool deprecated = 23; optional bool cc_enable_arenas = 31;
  optional string objc_class_prefix = 36; optional string csharp_namespace = 37;
  optional string swift_prefix = 39; optional string php_class_prefix = 40;
  optional string php_namespace = 41; optional string php_metadata_namespace = 44;
  optional string ruby_package = 45;
  enum OptimizeMode { SPEED = 1; CODE_SIZE = 2; LITE_RUNTIME = 3; }
}
message MessageOptions {
  optional bool message_set_wire_format = 1; optional bool no_standard_descriptor_accessor = 2;
  optional bool deprecated = 3; optional bool map_entry = 7;
}
message FieldOptions {
  optional CType ctype = 1; optional bool packed = 2; optional JSType jstype = 6;
  optional bool lazy = 5; optional bool unverified_lazy = 15; optional bool deprecated = 3;
  optional bool weak = 10; optional bool debug_redact = 16;
  enum CType { STRING = 0; CORD = 1; STRING_PIECE = 2; }
  enum JSType { JS_NORMAL = 0; JS_STRING = 1; JS_NUMBER = 2; }
}
message OneofOptions {}
message EnumOptions { optional bool allow_alias = 2; optional bool deprecated = 3; }
message EnumValueOptions { optional bool deprecated = 1; optional bool debug_redact = 3; }
message ServiceOptions { optional bool deprecated = 33; }
message MethodOptions {
  optional bool deprecated = 33; optional IdempotencyLevel idempotency_level = 34;
  enum IdempotencyLevel { IDEMPOTENCY_UNKNOWN = 0; NO_SIDE_EFFECTS = 1; IDEMPOTENT = 2; }
}
""",
}

# Pseudo-options that are syntax rather than FieldOptions fields.
FIELD_PSEUDO_OPTIONS = frozenset({"default", "json_name"})
