"""The hiring manager's review, decisions, the decision packet and the work lists."""
