"""Scheduling an application's interviews: schedule, reschedule, cancel, calendar invites."""
