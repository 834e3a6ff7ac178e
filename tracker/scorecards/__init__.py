"""The interview kit, scorecards (drafts, submission, amendments) and My interviews."""
