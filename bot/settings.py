"""Settings from the environment (and `.env`). Nothing else in the bot reads `os.environ`."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.i18n import LANGUAGES


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///./samskab.db", validation_alias=_env("DATABASE_URL"))
    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))
    teams_app_id: str | None = Field(None, validation_alias=_env("TEAMS_APP_ID"))
    teams_app_password: SecretStr | None = Field(None, validation_alias=_env("TEAMS_APP_PASSWORD"))
    teams_tenant_id: str | None = Field(None, validation_alias=_env("TEAMS_TENANT_ID"))
    teams_openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        validation_alias=_env("TEAMS_OPENID_METADATA_URL"),
    )
    teams_token_url: str = Field(
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
        validation_alias=_env("TEAMS_TOKEN_URL"),
    )
    # Where the Teams tab's single sign-on tokens (Azure AD's) are checked against: the OpenID
    # metadata naming Microsoft's signing keys. A setting so that tests point it at a fake.
    teams_sso_metadata_url: str = Field(
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
        validation_alias=_env("TEAMS_SSO_METADATA_URL"),
    )
    language: str = Field("da", validation_alias=_env("SAMSKAB_LANGUAGE"))
    timezone: str = Field("Europe/Copenhagen", validation_alias=_env("SAMSKAB_TIMEZONE"))
    scheduler: bool = Field(True, validation_alias=_env("SAMSKAB_SCHEDULER"))
    # Our server's address as browsers reach it, for download links (Teams) and the status page's
    # links (Slack); else the address the request came in on.
    public_url: str | None = Field(
        None, pattern=r"^https?://", validation_alias=_env("SAMSKAB_PUBLIC_URL")
    )
    # How long a claimed outbox row is ours before another worker may take it over.
    delivery_lease: float = Field(120.0, gt=0, validation_alias=_env("SAMSKAB_DELIVERY_LEASE"))
    # Days after a process is closed until its personal data is erased (`samskab purge`).
    retention_days: int = Field(365, ge=0, validation_alias=_env("SAMSKAB_RETENTION_DAYS"))
    # Seals the bøvl round's ballots; without it, a SQLite database keeps a key file beside it.
    ballot_key: SecretStr | None = Field(None, validation_alias=_env("SAMSKAB_BALLOT_KEY"))

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown timezone; use a name such as Europe/Copenhagen") from None
        return value

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable a field is read from, for messages about it."""
        alias = cls.model_fields[field].validation_alias if field in cls.model_fields else None
        return str(alias.choices[0]) if isinstance(alias, AliasChoices) else field.upper()

    def missing(self, names: tuple[str, ...]) -> list[str]:
        return [name for name in names if not getattr(self, name.lower())]
