"""Progress reports and analytics: for administrators (every course) and instructors (the courses they teach)."""
