"""A token's scope as a value: `admin`, `auditor`, `hub:<code>` or `school:<urn>`, read once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """What a token reaches: its kind, and for a hub or school token which one."""

    kind: str  # admin, auditor, hub, school
    name: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """The parts of a scope's text, unchecked: a stored scope was checked when it was issued
        (tracker.rules.check_scope_text), and a new one is checked there."""
        kind, _, name = (text or "").partition(":")
        return cls(kind, name or None)

    @property
    def school(self) -> str | None:
        """The school a school token is confined to; None for every other kind."""
        return self.name if self.kind == "school" else None

    @property
    def hub(self) -> str | None:
        return self.name if self.kind == "hub" else None

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind
