"""Typed settings read once from `SKILL_CIRCLE_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The development values below are public; production refuses every one of them.
DEV_ADMIN_PASSWORD = "admin-dev-password"
DEV_SECRET_KEY = "dev-secret-key-do-not-use-in-production"
DEV_DATA_DIR = Path(".data")

SERVICE_PORTS = {
    "users": 4001,
    "skills": 4002,
    "learning": 4003,
    "content": 4004,
    "visualization": 4005,
    "notifications": 4006,
}


class Settings(BaseSettings):
    """Settings of one subgraph process. Every field is `SKILL_CIRCLE_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SKILL_CIRCLE_", extra="ignore")

    service: str = "users"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 0  # 0: the service's default port from SERVICE_PORTS
    public_url: str = "http://localhost:4000"
    gateway_url: str = "http://localhost:4000/graphql"
    data_dir: Path = DEV_DATA_DIR
    log_level: str = "INFO"
    workers: int = 1  # uvicorn worker processes: replicas of this subgraph on one port

    # Stores. Empty means "the embedded development default" (SQLite file,
    # in-process Redis / MongoDB stand-ins); production requires real URLs.
    database_url: str = ""
    redis_url: str = ""
    mongodb_url: str = ""
    auto_migrate: bool = True

    # Tokens. Subgraphs verify with the users subgraph's JWKS; users signs.
    jwks_url: str = "http://localhost:4001/.well-known/jwks.json"
    jwks_refetch_interval_seconds: float = 10.0
    jwt_algorithm: Literal["RS256", "ES256", "EdDSA"] = "RS256"
    jwt_issuer: str = "skill-circle"
    jwt_audience: str = "skill-circle-api"
    jwt_private_key_files: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    secret_key: str = DEV_SECRET_KEY

    admin_email: str = "admin@skillcircle.local"
    admin_password: str = DEV_ADMIN_PASSWORD

    # Abuse protection.
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 256 * 1024
    login_attempts_per_account: int = 5
    login_attempts_per_address: int = 20
    login_window_seconds: int = 300

    otlp_endpoint: str = ""

    @field_validator("jwt_private_key_files", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part.strip()) for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("SKILL_CIRCLE_SECRET_KEY must be set to 32+ random characters")
        if self.service == "users" and self.admin_password == DEV_ADMIN_PASSWORD:
            problems.append("SKILL_CIRCLE_ADMIN_PASSWORD must not be the development password")
        if self.service == "users" and not self.jwt_private_key_files:
            problems.append("SKILL_CIRCLE_JWT_PRIVATE_KEY_FILES must name the signing keys")
        if any(self.data_dir in path.parents for path in self.jwt_private_key_files):
            problems.append("JWT keys must not be the generated development keys")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def listen_port(self) -> int:
        return self.port or SERVICE_PORTS.get(self.service, 8000)

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


def load_settings(service: str, **overrides: object) -> Settings:
    """Read the settings of `service` from the environment (overrides win)."""
    return Settings(service=service, **overrides)  # type: ignore[arg-type]
