"""Exporters: each turns selected claims and their sources into a string; none writes files."""
