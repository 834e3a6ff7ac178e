"""Admin: people, their roles, and password reset links."""
