"""Settings of the users subgraph: the shared ones plus signing keys, tokens and logins."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from ..common.settings import DEV_ADMIN_PASSWORD, Settings


class UserSettings(Settings):
    """Every field is `SKILL_CIRCLE_<NAME>`, like the shared settings."""

    service: str = "users"

    jwt_private_key_files: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

    # Abuse protection of login.
    login_attempts_per_account: int = 5
    login_attempts_per_address: int = 20
    login_window_seconds: int = 300

    # Account deletion: a subgraph that has not reported its part within this is asked again.
    deletion_retry_seconds: float = 60.0

    @field_validator("jwt_private_key_files", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part.strip()) for part in value.split(",") if part.strip()]
        return value

    def production_problems(self) -> list[str]:
        problems = []
        if self.admin_password == DEV_ADMIN_PASSWORD:
            problems.append("SKILL_CIRCLE_ADMIN_PASSWORD must not be the development password")
        if not self.jwt_private_key_files:
            problems.append("SKILL_CIRCLE_JWT_PRIVATE_KEY_FILES must name the signing keys")
        if any(self.data_dir in path.parents for path in self.jwt_private_key_files):
            problems.append("JWT keys must not be the generated development keys")
        return problems
