"""Who is acting: the token's party and role (or a CLI operator)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    role: str                    # buyer, vendor, auditor, admin, system
    party_id: int | None = None
    party_code: str | None = None
    token_id: str | None = None

    def as_dict(self) -> dict:
        return {"party": self.party_code, "role": self.role, "token": self.token_id}


SYSTEM = Actor(role="system")
