"""Orchestration (Prefect) and the command line."""
