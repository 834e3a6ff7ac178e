"""Admin: browse the audit trail."""
