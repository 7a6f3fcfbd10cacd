"""Config: YAML validated with errors that name the key; CLI flags override; secrets hidden."""

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.config import DEFAULT_COUNTRIES, Config, ConfigError, load_config, parse_config
from gateway.core.pricing import Rate

DEMO = Path(__file__).resolve().parents[2] / "gateway" / "demo.yaml"


def test_empty_document_is_all_defaults() -> None:
    assert parse_config(None) == Config()
    assert Config().countries == DEFAULT_COUNTRIES
    assert Config().countries["US"] == ("CA", "US")


def test_demo_config_loads() -> None:
    config = load_config(DEMO)
    assert config.port == 8080
    assert config.carrier_url == "http://127.0.0.1:8090"
    assert config.rates["GB"] == Rate(Decimal("4.6"), Decimal("0.83"))
    assert set(config.countries) == {"US", "CA", "GB", "AU"}


def test_sections_fill_fields() -> None:
    config = parse_config(
        {
            "server": {"host": "0.0.0.0", "port": 9000, "public_url": "https://gw.example.com/"},
            "carrier": {"url": "https://api.twilio.com", "account_sid": "AC1", "auth_token": "s3"},
            "sms": {
                "countries": {"us": ["us", "ca"]},
                "rates": {"US": 1, "default": {"outbound": 2}},
            },
            "dispatcher": {"enabled": False, "messages_per_second": 5},
        }
    )
    assert config.public_url == "https://gw.example.com"  # no trailing slash: we append paths
    assert config.countries == {"US": ("CA", "US")}
    assert config.rates["US"] == Rate(Decimal(1), Decimal(1))
    assert config.rates["default"] == Rate(Decimal(2), Decimal(0))
    assert config.dispatcher_enabled is False
    assert config.messages_per_second == 5.0
    # real Twilio ignores Idempotency-Key: unless told otherwise, look a lost create up
    assert config.carrier_deduplicates_creates is False
    assert (
        parse_config({"carrier": {"deduplicates_creates": True}}).carrier_deduplicates_creates
        is True
    )


@pytest.mark.parametrize(
    ("document", "key"),
    [
        ([], "(top level)"),
        ({"servre": {}}, "servre"),
        ({"server": []}, "server"),
        ({"server": {"prot": 1}}, "server.prot"),
        ({"server": {"port": "eighty"}}, "server.port"),
        ({"server": {"port": 70000}}, "server.port"),
        ({"server": {"public_url": "gw.example.com"}}, "server.public_url"),
        ({"carrier": {"auth_token": ""}}, "carrier.auth_token"),
        ({"carrier": {"timeout": 0}}, "carrier.timeout"),
        ({"carrier": {"deduplicates_creates": "no"}}, "carrier.deduplicates_creates"),
        ({"database": {"synchronous": "MAYBE"}}, "database.synchronous"),
        ({"database": {"url": "mysql://db/sms"}}, "database.url"),
        ({"database": {"url": "postgresql://db/sms", "path": "x.db"}}, "database.url"),
        ({"sms": {"countries": {"USA": ["US"]}}}, "sms.countries.USA"),
        ({"sms": {"countries": {"US": "US"}}}, "sms.countries.US"),
        ({"sms": {"rates": {"US": "cheap"}}}, "sms.rates.US"),
        ({"sms": {"rates": {"US": {"outbound": -1}}}}, "sms.rates.US.outbound"),
        ({"sms": {"rates": {"US": {"outgoing": 1}}}}, "sms.rates.US.outgoing"),
        ({"dispatcher": {"enabled": "yes"}}, "dispatcher.enabled"),
        ({"dispatcher": {"max_in_flight": 1.5}}, "dispatcher.max_in_flight"),
        ({"dispatcher": {"messages_per_second": True}}, "dispatcher.messages_per_second"),
    ],
)
def test_errors_name_the_key(document: object, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(document)
    assert str(caught.value).startswith(f"{key}:"), caught.value


def test_load_reports_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("dispatcher:\n  max_age: -3\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: dispatcher\.max_age:"):
        load_config(path)
    path.write_text("server: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_overrides_and_secret() -> None:
    config = Config(carrier_auth_token="hunter2").replace(port=1234, host=None)
    assert config.port == 1234 and config.host == "127.0.0.1"
    assert "hunter2" not in repr(config)
