"""Measurements of mireads under load: `make bench` runs bench/run.py."""
