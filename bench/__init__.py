"""Measurements of mireads under load: `make bench` runs `python -m bench run` (bench/__main__.py
lists every subcommand; the targets are in bench/targets.py)."""
