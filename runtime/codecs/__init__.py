"""Codecs: typed events ⇄ CloudEvent data (proto3 JSON, binary protobuf) driven by schemas."""
