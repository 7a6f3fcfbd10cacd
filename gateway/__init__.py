"""The SMS gateway daemon: a Close-compatible REST API in front of a Twilio-compatible carrier."""

from gateway.app import create_app
from gateway.config import Config, ConfigError, load_config, parse_config

__all__ = ["Config", "ConfigError", "create_app", "load_config", "parse_config"]
