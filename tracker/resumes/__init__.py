"""Résumés: upload and download."""
