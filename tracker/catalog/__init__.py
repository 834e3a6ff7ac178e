"""The role catalog: requirement data files shipped in the package and their loader."""
