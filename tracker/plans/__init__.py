"""An opening's interview plan: focus requirements per interview and their coverage."""
