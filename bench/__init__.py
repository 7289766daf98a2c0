"""Benchmarks: each prints its figures side by side with a peer tool."""
