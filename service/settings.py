"""Settings from environment variables with the ``MIASTO_`` prefix (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{REPO_ROOT / 'var' / 'miasto.db'}"


class Settings(BaseSettings):
    """Everything configurable about a miasto deployment; see README "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="MIASTO_", extra="ignore")

    database_url: str = Field(DEFAULT_SQLITE, description="SQLAlchemy URL; SQLite file by default")
    broker_url: str | None = Field(None, description="Celery broker (redis://...); unset = in-process jobs")
    local_workers: int = Field(2, ge=1, le=32, description="process pool size for in-process jobs")
    max_buildings: int = Field(50_000, ge=1, description="largest inventory accepted in one submission")
    max_upload_mb: float = Field(20.0, gt=0, description="largest request body accepted, in MB")
    max_sync_buildings: int = Field(100, ge=1, description="largest body of POST /v1/energy/estimate")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed on private endpoints")
    log_level: str = Field("INFO")
    log_json: bool = Field(False, description="JSON-lines logs (production) instead of readable text")
    job_visibility_timeout_s: int = Field(3600, ge=1, description="redelivery delay of an unacked job")
    job_stale_after_s: int = Field(
        120, ge=1, description="a running job without heartbeat this long is taken over"
    )
    public_cache_max_age_s: int = Field(300, ge=0)
    public_rate_limit_per_minute: int = Field(600, ge=1)
    rate_limit_url: str | None = Field(
        None,
        description="Redis of the public rate-limit counters (shared by all API processes); unset = the "
        "broker's redis:// URL, 'memory://' = each process counts alone (the default without a broker)",
    )
    job_max_attempts: int = Field(
        5,
        ge=1,
        le=50,
        description="runs of one job (retries after temporary errors, take-overs) before it fails",
    )
    job_sweep_interval_s: int = Field(
        30, ge=1, description="how often undispatched and stale jobs are looked for in the job table"
    )
    broker_retry_after_s: int = Field(
        30, ge=1, description="Retry-After of the 503 a job submission gets while the broker is down"
    )
    base_url: str = Field("http://127.0.0.1:8000", description="public base URL used in links")
    session_secret: str | None = Field(
        None, description="signs workspace session cookies; unset = random per process (sign-in again)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("MIASTO_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("MIASTO_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def rate_limit_redis_url(self) -> str | None:
        url = self.rate_limit_url or self.broker_url
        return url if url and url.startswith(("redis://", "rediss://", "unix://")) else None

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


@lru_cache
def get_settings() -> Settings:
    return Settings()
