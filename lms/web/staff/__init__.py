"""Programme staff: cohorts and their live sessions, the application review queue, and attendance."""
