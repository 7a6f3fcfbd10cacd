"""The gateway's settings: one frozen dataclass, read once from YAML, overridden by CLI flags.

`parse_config` is pure (a mapping in, a Config or a ConfigError naming the key out);
`load_config` reads the file. Nothing else in the gateway reads files or the environment for
settings; tests build `Config(...)` directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from gateway.core.pricing import Rate
from telecom.keywords import HELP_REPLY

__all__ = [
    "DEFAULT_COUNTRIES",
    "DEFAULT_RATES",
    "Config",
    "ConfigError",
    "is_postgres_url",
    "load_config",
    "parse_config",
]

_PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: str) -> bool:
    """A database location is a PostgreSQL URL, or else a SQLite file path."""
    return location.startswith(_PG_SCHEMES)


DEFAULT_COUNTRIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"US": ("CA", "US"), "CA": ("CA", "US"), "GB": ("GB",), "AU": ("AU",)}
)
# Cents per segment; Twilio's list prices for long codes, rounded (Close passes them through).
DEFAULT_RATES: Mapping[str, Rate] = MappingProxyType(
    {
        "US": Rate(Decimal("0.83"), Decimal("0.83")),
        "CA": Rate(Decimal("0.83"), Decimal("0.83")),
        "GB": Rate(Decimal("4.6"), Decimal("0.83")),
        "AU": Rate(Decimal("5.15"), Decimal("0.83")),
    }
)


class ConfigError(ValueError):
    """A setting is missing or has the wrong shape; the message starts with its key."""


@dataclass(frozen=True)
class Config:
    carrier_url: str = "http://127.0.0.1:8090"
    carrier_account_sid: str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    carrier_auth_token: str = field(default="", repr=False)  # a secret: never printed
    carrier_timeout: float = 10.0
    # Whether the carrier returns the first message for a repeated Idempotency-Key (the
    # simulator does; real Twilio does not). When it does not, a create whose outcome we never
    # learnt (timeout, reset, 5xx, a crash mid-call) is looked up in its Messages list before
    # it is sent again. The safe default: pointing the gateway at Twilio is a URL change.
    carrier_deduplicates_creates: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    # /readyz and /metrics (every organization's message counts) on a listener of their own,
    # loopback unless told otherwise; 0: any free port (tests, embedded gateways)
    ops_host: str = "127.0.0.1"
    ops_port: int = 8081
    public_url: str = "http://127.0.0.1:8080"  # where the carrier reaches us
    ui: bool = True  # the web console under /ui/ (gateway.ui)
    # signs the console's session cookies; unset: a random one per process (sessions end
    # with it). Set it when several gateway processes serve one console.
    ui_secret: str = field(default="", repr=False)
    ui_session_ttl: float = 8 * 3600.0  # seconds a console sign-in lasts
    db_path: str = "smslab-gateway.db"
    db_url: str | None = None  # postgresql://user@host:port/db: PostgreSQL instead of db_path
    # FULL: an accepted message survives a power cut; NORMAL (WAL) only a process crash,
    # for roughly a fifth more throughput
    db_synchronous: str = "FULL"
    default_region: str = "US"  # for contact phones written without a country code
    countries: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_COUNTRIES)
    rates: Mapping[str, Rate] = field(default_factory=lambda: DEFAULT_RATES)
    # what the carrier answers HELP/INFO with (Twilio's default unless Advanced Opt-Out says
    # otherwise): we never see that message, so this is the text the lead shows for it
    help_reply: str = HELP_REPLY
    dispatcher_enabled: bool = True
    messages_per_second: float = 1.0  # per sending number, as Twilio's long codes
    poll_interval: float = 0.2
    max_in_flight: int = 64
    retry_base: float = 1.0
    retry_max: float = 60.0
    max_age: float = 3600.0  # keep retrying an unavailable carrier this long, then `expired`
    max_limit: int = 100
    # operations (gateway/signals.py, logs.py, edge/limits.py, core/breaker.py)
    grace_period: float = 10.0  # SIGTERM: seconds to finish in-flight work before exiting
    log_level: str = "INFO"
    log_format: str = "json"  # json (one object per line) | text
    max_body_bytes: int = 1024 * 1024  # larger request bodies answer 413
    rate_limit: float = 0.0  # API requests per second per key (0: no limit)
    rate_burst: int = 0  # requests a key may make at once (0: twice the rate)
    # failed authentications per second per client address, counted before the key lookup
    # (0: no limit); on even when rate_limit is 0: it is what keeps random keys off the store
    auth_failure_rate: float = 1.0
    auth_failure_burst: int = 20  # failed authentications an address may make at once
    breaker_threshold: int = 5  # consecutive unavailable answers that open the breaker
    breaker_cooldown: float = 10.0  # seconds open before one probe call
    # ask the carrier about messages with no final status this long after sending (lost
    # callbacks); 0 turns it off
    reconcile_after: float = 600.0
    reconcile_interval: float = 60.0
    # seconds a stored carrier event (raw callback payload) is kept; 0: for ever
    events_retention: float = 30 * 86400.0
    events_purge_interval: float = 60.0  # seconds between housekeeping rounds

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def database(self) -> str:
        """Where the store lives: the PostgreSQL URL if one is set, else the SQLite path."""
        return self.db_url or self.db_path

    def with_database(self, location: str) -> Config:
        """`--db`: a SQLite path or a PostgreSQL URL, replacing whichever the file gave."""
        if is_postgres_url(location):
            return dataclasses.replace(self, db_url=location)
        return dataclasses.replace(self, db_path=location, db_url=None)


# section.key -> (Config field, caster)
def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key}: expected a non-empty string, got {value!r}")
    return value


def _url(key: str, value: Any) -> str:
    text = _text(key, value)
    if not text.startswith(("http://", "https://")):
        raise ConfigError(f"{key}: expected an http(s) URL, got {value!r}")
    return text.rstrip("/")


def _positive(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key}: expected a positive number, got {value!r}")
    return float(value)


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{key}: expected a positive integer, got {value!r}")
    return value


def _port(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 65536:
        raise ConfigError(f"{key}: expected a port number 0..65535, got {value!r}")
    return value


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    return value


def _non_negative(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{key}: expected a number >= 0, got {value!r}")
    return float(value)


def _non_negative_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{key}: expected an integer >= 0, got {value!r}")
    return value


def _days(key: str, value: Any) -> float:
    days = _non_negative(key, value)
    if days > 36500:  # also refuses .inf: a date that far back is out of the calendar
        raise ConfigError(
            f"{key}: expected at most 36500 days (0 keeps them for ever), got {value!r}"
        )
    return days * 86400


def _level(key: str, value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"{key}: expected DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return value.upper()


def _log_format(key: str, value: Any) -> str:
    if value not in ("json", "text"):
        raise ConfigError(f"{key}: expected json or text, got {value!r}")
    return str(value)


def _pg_url(key: str, value: Any) -> str:
    if not isinstance(value, str) or not is_postgres_url(value):
        raise ConfigError(
            f"{key}: expected a postgresql://user@host:port/database URL, got {value!r}"
        )
    return value


def _synchronous(key: str, value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in {"OFF", "NORMAL", "FULL"}:
        raise ConfigError(f"{key}: expected OFF, NORMAL or FULL, got {value!r}")
    return value.upper()


def _country(key: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise ConfigError(f"{key}: expected a two-letter country code, got {value!r}")
    return value.upper()


def _countries(key: str, value: Any) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{key}: expected a mapping of country -> [countries it texts]")
    table = {}
    for country, targets in value.items():
        name = _country(f"{key}.{country}", country)
        if not isinstance(targets, list):
            raise ConfigError(f"{key}.{country}: expected a list of country codes")
        table[name] = tuple(sorted(_country(f"{key}.{country}", t) for t in targets))
    return MappingProxyType(table)


def _cents(key: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{key}: expected cents per segment, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{key}: expected cents per segment, got {value!r}") from None
    if amount < 0 or not amount.is_finite():
        raise ConfigError(f"{key}: expected cents per segment, got {value!r}")
    return amount


def _rates(key: str, value: Any) -> Mapping[str, Rate]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a mapping of country -> rate")
    table = {}
    for country, rate in value.items():
        name = "default" if country == "default" else _country(f"{key}.{country}", country)
        where = f"{key}.{country}"
        if isinstance(rate, dict):
            unknown = set(rate) - {"outbound", "inbound"}
            if unknown:
                raise ConfigError(f"{where}.{sorted(unknown)[0]}: unknown key")
            out = _cents(f"{where}.outbound", rate.get("outbound", 0))
            table[name] = Rate(out, _cents(f"{where}.inbound", rate.get("inbound", 0)))
        else:
            table[name] = Rate(_cents(where, rate), _cents(where, rate))
    return MappingProxyType(table)


_SCHEMA: dict[str, dict[str, tuple[str, Callable[[str, Any], Any]]]] = {
    "server": {
        "host": ("host", _text),
        "port": ("port", _port),
        "ops_host": ("ops_host", _text),
        "ops_port": ("ops_port", _port),
        "public_url": ("public_url", _url),
        "grace_period": ("grace_period", _non_negative),
        "ui": ("ui", _flag),
        "ui_secret": ("ui_secret", _text),
        "ui_session_ttl": ("ui_session_ttl", _positive),
    },
    "logging": {"level": ("log_level", _level), "format": ("log_format", _log_format)},
    "database": {
        "path": ("db_path", _text),
        "url": ("db_url", _pg_url),
        "synchronous": ("db_synchronous", _synchronous),
    },
    "carrier": {
        "url": ("carrier_url", _url),
        "account_sid": ("carrier_account_sid", _text),
        "auth_token": ("carrier_auth_token", _text),
        "timeout": ("carrier_timeout", _positive),
        "deduplicates_creates": ("carrier_deduplicates_creates", _flag),
        "events_retention_days": ("events_retention", _days),
        "events_purge_interval": ("events_purge_interval", _positive),
    },
    "sms": {
        "default_region": ("default_region", _country),
        "countries": ("countries", _countries),
        "rates": ("rates", _rates),
        "help_reply": ("help_reply", _text),
    },
    "dispatcher": {
        "enabled": ("dispatcher_enabled", _flag),
        "messages_per_second": ("messages_per_second", _positive),
        "poll_interval": ("poll_interval", _positive),
        "max_in_flight": ("max_in_flight", _count),
        "retry_base": ("retry_base", _positive),
        "retry_max": ("retry_max", _positive),
        "max_age": ("max_age", _positive),
        "breaker_threshold": ("breaker_threshold", _count),
        "breaker_cooldown": ("breaker_cooldown", _positive),
        "reconcile_after": ("reconcile_after", _non_negative),
        "reconcile_interval": ("reconcile_interval", _positive),
    },
    "api": {
        "max_limit": ("max_limit", _count),
        "max_body_bytes": ("max_body_bytes", _count),
        "rate_limit": ("rate_limit", _non_negative),
        "rate_burst": ("rate_burst", _non_negative_int),
        "auth_failures_per_second": ("auth_failure_rate", _non_negative),
        "auth_failure_burst": ("auth_failure_burst", _count),
    },
}


def parse_config(data: Any) -> Config:
    """Build a Config from the YAML document's mapping; every error names its key."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("(top level): expected a mapping of sections")
    values: dict[str, Any] = {}
    for section, body in data.items():
        fields = _SCHEMA.get(section)
        if fields is None:
            raise ConfigError(f"{section}: unknown section (known: {', '.join(_SCHEMA)})")
        if not isinstance(body, dict):
            raise ConfigError(f"{section}: expected a mapping")
        for key, value in body.items():
            if key not in fields:
                raise ConfigError(f"{section}.{key}: unknown key")
            name, cast = fields[key]
            values[name] = cast(f"{section}.{key}", value)
    if "db_path" in values and "db_url" in values:
        raise ConfigError(
            "database.url: give database.path (SQLite) or database.url (PostgreSQL), not both"
        )
    return Config(**values)


def load_config(path: str | Path) -> Config:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    try:
        return parse_config(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
