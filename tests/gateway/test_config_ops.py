"""The operations settings: parsed from YAML, and each bad value named by its key."""

from __future__ import annotations

import pytest

from gateway import ConfigError, parse_config
from gateway.config_reload import reloaded


def test_ops_keys_parse() -> None:
    config = parse_config(
        {
            "server": {"grace_period": 0},
            "logging": {"level": "debug", "format": "text"},
            "api": {
                "max_body_bytes": 4096,
                "rate_limit": 2.5,
                "rate_burst": 10,
                "auth_failures_per_second": 0.5,
                "auth_failure_burst": 5,
            },
            "dispatcher": {
                "breaker_threshold": 3,
                "breaker_cooldown": 1.5,
                "reconcile_after": 0,
                "reconcile_interval": 5,
            },
        }
    )
    assert (config.reconcile_after, config.reconcile_interval) == (0.0, 5.0)
    assert (config.grace_period, config.log_level, config.log_format) == (0.0, "DEBUG", "text")
    assert (config.max_body_bytes, config.rate_limit, config.rate_burst) == (4096, 2.5, 10)
    assert (config.breaker_threshold, config.breaker_cooldown) == (3, 1.5)
    assert (config.auth_failure_rate, config.auth_failure_burst) == (0.5, 5)
    defaults = parse_config({})
    assert (defaults.grace_period, defaults.rate_limit, defaults.log_format) == (10.0, 0.0, "json")
    assert (defaults.auth_failure_rate, defaults.auth_failure_burst) == (1.0, 20)  # on
    assert parse_config({"api": {"auth_failures_per_second": 0}}).auth_failure_rate == 0.0


def test_ops_listener_and_retention_keys_parse() -> None:
    config = parse_config(
        {
            "server": {"ops_host": "0.0.0.0", "ops_port": 9464},
            "carrier": {"events_retention_days": 7, "events_purge_interval": 5},
        }
    )
    assert (config.ops_host, config.ops_port) == ("0.0.0.0", 9464)
    assert (config.events_retention, config.events_purge_interval) == (7 * 86400.0, 5.0)
    defaults = parse_config({})
    assert (defaults.ops_host, defaults.ops_port) == ("127.0.0.1", 8081)  # loopback
    assert defaults.events_retention == 30 * 86400.0
    assert parse_config({"carrier": {"events_retention_days": 0}}).events_retention == 0.0


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"server": {"grace_period": -1}}, "server.grace_period"),
        ({"logging": {"level": "LOUD"}}, "logging.level"),
        ({"logging": {"format": "xml"}}, "logging.format"),
        ({"logging": {"colour": True}}, "logging.colour"),
        ({"api": {"max_body_bytes": 0}}, "api.max_body_bytes"),
        ({"api": {"rate_limit": "fast"}}, "api.rate_limit"),
        ({"api": {"rate_burst": 1.5}}, "api.rate_burst"),
        ({"api": {"auth_failures_per_second": -1}}, "api.auth_failures_per_second"),
        ({"api": {"auth_failure_burst": 0}}, "api.auth_failure_burst"),
        ({"dispatcher": {"breaker_threshold": 0}}, "dispatcher.breaker_threshold"),
        ({"dispatcher": {"breaker_cooldown": -2}}, "dispatcher.breaker_cooldown"),
        ({"dispatcher": {"reconcile_after": -1}}, "dispatcher.reconcile_after"),
        ({"dispatcher": {"reconcile_interval": 0}}, "dispatcher.reconcile_interval"),
        ({"server": {"ops_port": 70000}}, "server.ops_port"),
        ({"server": {"ops_host": ""}}, "server.ops_host"),
        ({"carrier": {"events_retention_days": -1}}, "carrier.events_retention_days"),
        ({"carrier": {"events_retention_days": float("inf")}}, "carrier.events_retention_days"),
        ({"carrier": {"events_purge_interval": 0}}, "carrier.events_purge_interval"),
    ],
)
def test_bad_ops_values_name_their_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        parse_config(data)


def test_reloaded_takes_only_rates_and_countries() -> None:
    current = parse_config({"server": {"port": 1}})
    fresh = parse_config({"server": {"port": 2}, "sms": {"countries": {"US": ["US"]}}})
    merged, changed = reloaded(current, fresh)
    assert changed == ["countries"]
    assert merged.port == 1 and dict(merged.countries) == {"US": ("US",)}
