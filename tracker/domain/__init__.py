"""Pure domain rules: no Flask, no SQLAlchemy, so they test as plain function calls."""
