"""Candidates: list, page with applications and history."""
