"""Your account: password and sessions."""
