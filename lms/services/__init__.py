"""Use cases. Each takes the acting user and plain data, runs in one transaction and returns a result or raises a
ServiceError. Services never touch the request, the session, flash() or abort()."""
