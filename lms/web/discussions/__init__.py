"""Cohort discussions: boards, threads, replies, and their moderation by the course's staff."""
