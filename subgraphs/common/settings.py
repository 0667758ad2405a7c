"""Typed settings read once from `SKILL_CIRCLE_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .clients import DEFAULT_TRUSTED_PROXIES, Network, networks

# The development values below are public; production refuses every one of them.
DEV_ADMIN_PASSWORD = "admin-dev-password"
DEV_SECRET_KEY = "dev-secret-key-do-not-use-in-production"
DEV_MAIL_LINK_KEY = "dev-mail-link-key-do-not-use-in-production"
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
    # Where clients reach the visualization subgraph's HTTP documents (certificates, images).
    documents_url: str = "http://localhost:4005"
    gateway_url: str = "http://localhost:4000/graphql"
    gateway_timeout_seconds: float = 10.0  # reads through the gateway (common.gateway_client)
    data_dir: Path = DEV_DATA_DIR
    log_level: str = "INFO"
    # json: one JSON object per line; text: one readable coloured line per record;
    # auto: text in development, json everywhere else.
    log_format: Literal["auto", "json", "text"] = "auto"
    workers: int = 1  # uvicorn worker processes: replicas of this subgraph on one port
    keep_alive_seconds: int = 75  # idle keep-alive connections from the gateway stay open

    # Stores. Empty means "the embedded development default" (SQLite file,
    # in-process Redis / MongoDB stand-ins); production requires real URLs.
    database_url: str = ""
    redis_url: str = ""
    mongodb_url: str = ""
    auto_migrate: bool = True
    # SQL connections kept open per process, and how many more a burst may open (and close
    # again). Sized so a loaded replica reuses its connections instead of opening new ones:
    # the gateway sends a subgraph a few concurrent calls per client request.
    sql_pool_size: int = 32
    sql_pool_overflow: int = 16
    # A pooled connection idle this long (seconds) is pinged before use (common/stores/sql.py).
    sql_ping_after_idle_seconds: float = 10.0
    # Redis connections per process. A burst beyond them waits (up to the timeout, seconds)
    # for a free connection instead of failing: a page of 100 drawings checks its rate
    # limit 100 times at once.
    redis_max_connections: int = 64
    redis_pool_timeout: float = 5.0

    # Python's cyclic garbage collector: objects made at start-up are frozen (never scanned
    # again) and the youngest generation is collected after this many net allocations
    # (Python's default, 700, collects several times per GraphQL request).
    gc_first_generation_threshold: int = 20_000

    # Tokens. Subgraphs verify with the users subgraph's JWKS; users signs.
    jwks_url: str = "http://localhost:4001/.well-known/jwks.json"
    jwks_refetch_interval_seconds: float = 10.0
    jwt_algorithm: Literal["RS256", "ES256", "EdDSA"] = "RS256"
    jwt_issuer: str = "skill-circle"
    jwt_audience: str = "skill-circle-api"
    jwt_leeway_seconds: int = 30  # clock skew tolerated between hosts on exp/nbf/iat
    access_token_ttl_seconds: int = 900  # also how long an ended session is remembered
    secret_key: str = DEV_SECRET_KEY
    # Seals one-time links in users' events; only users and notifications need it
    # (common/sealed.py). Production refuses the development key.
    mail_link_key: str = DEV_MAIL_LINK_KEY

    # The development admin account: users creates it, content's demo loader signs in as it.
    admin_email: str = "admin@skillcircle.local"
    admin_password: str = DEV_ADMIN_PASSWORD

    # Abuse protection.
    # Proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For hop is
    # believed: the gateway, load balancers. The client is the first other hop.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_TRUSTED_PROXIES)
    )
    # Overrides of the subgraphs' declared limits: {"name": [count, window_seconds]}.
    rate_limits: dict[str, tuple[int, int]] = Field(default_factory=dict)
    # Static operation cost (common/cost.py): budgets per operation, and the size
    # assumed for a list whose size no argument gives. A gateway's page of 100
    # entities with nested lists costs ~6,000-21,000 (measured in the batching tests);
    # the 30-alias attack costs 42,030 in skills and 150,000 in visualization.
    max_cost_anonymous: int = 25_000
    max_cost_signed_in: int = 40_000
    default_list_size: int = 10
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 256 * 1024
    max_response_bytes: int = 4 * 1024 * 1024  # a GraphQL answer larger than this is refused

    # Anonymous queries are answered from memory for this long (seconds; 0 = off): the
    # bound on how stale a public catalog read may be (common/response_cache.py).
    public_cache_seconds: float = 5.0
    # Learners' own queries are answered from memory for at most this long (seconds; 0 =
    # off), in the subgraphs that keep them (see docs/query-plans.md): the bound on how stale
    # what a learner's answer shows of other learners' data or of the clock may be.
    private_cache_seconds: float = 5.0

    # Acknowledged events stay on the shared stream this long (seconds) before consumers
    # trim them: recent history stays readable for replays, new groups and debugging.
    event_retention_seconds: float = 3600.0

    otlp_endpoint: str = ""
    # A fault-injection point for tests (e.g. "outbox.before_publish"); refused in production.
    fault_point: str = ""

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        networks(value)  # type: ignore[arg-type]  # refuses a malformed entry at start-up
        return value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return networks(self.trusted_proxies)

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("SKILL_CIRCLE_SECRET_KEY must be set to 32+ random characters")
        if self.service in ("users", "notifications") and (
            self.mail_link_key == DEV_MAIL_LINK_KEY or len(self.mail_link_key) < 32
        ):
            problems.append("SKILL_CIRCLE_MAIL_LINK_KEY must be set to 32+ random characters")
        if self.fault_point:
            problems.append("SKILL_CIRCLE_FAULT_POINT is for tests only")
        problems.extend(self.production_problems())
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    def production_problems(self) -> list[str]:
        """What a subgraph's own settings refuse in production (none here)."""
        return []

    @property
    def listen_port(self) -> int:
        return self.port or SERVICE_PORTS.get(self.service, 8000)

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def readable_logs(self) -> bool:
        return self.log_format == "text" or (self.log_format == "auto" and self.is_development)


OwnSettings = TypeVar("OwnSettings", bound=Settings)


def load_settings(service: str, **overrides: object) -> Settings:
    """Read the settings of `service` from the environment (overrides win)."""
    return Settings(service=service, **overrides)  # type: ignore[arg-type]


def settings_as(kind: type[OwnSettings], settings: Settings | None = None) -> OwnSettings:
    """A subgraph's own settings: the given shared ones (if any) plus its own fields."""
    if isinstance(settings, kind):
        return settings
    if settings is None:
        return kind()
    return kind(**settings.model_dump())
