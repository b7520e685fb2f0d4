"""Use cases. Each takes the acting user and plain data, runs in one transaction and returns a result or raises a
ServiceError. Services never touch the request, the session, flash() or abort().

The transaction rule
    - The top-level use case (the function a view, a CLI command or the worker calls) commits once, at its end.
    - A function another service calls never commits: it adds, updates and at most flushes, and its caller's commit
      writes everything together (application_review.decide enrols the applicant with enrolments.enrol_user and commits
      once; applications.withdraw leaves the course with enrolments.withdraw_enrolment). So an error half-way leaves
      nothing half-written.
    - A refusal is raised, not rolled back first: lms.web.errors (pages) and lms.cli.group (commands) roll the
      session back in one place. A service rolls back itself only to go on after a failed statement
      (an IntegrityError from a unique constraint, or the next item of application_review.decide_many, where each
      decision is deliberately its own transaction).
    - On PostgreSQL the transaction begins with the use case's first write or lock, not its first read
      (lms/models/postgres.py): reads before it see what is committed, as they would at READ COMMITTED inside one.
      A rule that must hold between a read and a write (seats left in a cohort) locks the row it reads.
"""
