"""Second factor: TOTP enrolment, sign-in codes, recovery codes."""
