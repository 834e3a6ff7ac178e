"""Openings: list, create, edit, requirement set, plan and board."""
