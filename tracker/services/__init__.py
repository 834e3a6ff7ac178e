"""Services: load, ask the domain, persist, commit once; raise domain errors."""
