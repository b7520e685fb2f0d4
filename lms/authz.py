"""Who may do what: pure predicates over users and objects, shared by services and blueprint gates.

The per-object pattern later features follow: a service loads the object, asks a predicate here, and raises
NotAllowed when it says no; views never load an object by id any other way.
"""

from __future__ import annotations

from typing import Protocol


class Actor(Protocol):
    role: str
    active: bool

    @property
    def is_authenticated(self) -> bool: ...


def has_role(actor: Actor | None, *roles: str) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.active and actor.role in roles)


def is_admin(actor: Actor | None) -> bool:
    return has_role(actor, "admin")


def is_staff(actor: Actor | None) -> bool:
    return has_role(actor, "admin", "instructor")


def can_manage_users(actor: Actor | None) -> bool:
    return is_admin(actor)
