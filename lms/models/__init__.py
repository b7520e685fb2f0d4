"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from lms.models.base import Base
from lms.models.user import Role, User

__all__ = ["Base", "Role", "User"]
