"""SQL renderers: DDL per target and the Flink SQL pipeline."""
