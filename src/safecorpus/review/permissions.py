"""Who may do what. Roles are separate on purpose (TC260-5.3.a.3): an admin manages people and data but
does not label; annotators label; reviewers approve or correct other people's labels."""

from __future__ import annotations

from safecorpus.review.models import User

PERMISSIONS: dict[str, frozenset[str]] = {
    "annotate": frozenset({"annotator"}),
    "review": frozenset({"reviewer"}),
    "admin": frozenset({"admin"}),
    "statistics": frozenset({"admin", "reviewer"}),
    "guidelines": frozenset({"admin", "annotator", "reviewer"}),
    "qualify": frozenset({"annotator", "reviewer"}),
    "view_any_item": frozenset({"admin"}),
}


def can(user: User | None, permission: str) -> bool:
    return user is not None and user.active and user.role in PERMISSIONS.get(permission, frozenset())
