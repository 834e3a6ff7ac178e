"""Moves of an application through the pipeline."""
