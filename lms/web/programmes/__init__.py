"""The learner's side of programmes: cohorts, applications, live sessions and calendars."""
