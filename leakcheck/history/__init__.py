"""Runs kept over time: loading and migrating results files, the index, compare, shards and bisection."""
