"""The settings SIGHUP may change while the gateway runs: rates and routing (`sms.rates`,
`sms.countries`). Everything else (ports, database, carrier credentials, pacing) needs a
restart, so a reload takes only these two from the new file and keeps the rest.

`Config` stays frozen; the live one is swapped whole inside a `LiveConfig` that the API reads
through `gateway.api.common.config_of` (an aiohttp Application's state is frozen once started).
"""

from __future__ import annotations

import dataclasses

from gateway.config import Config

__all__ = ["RELOADABLE", "LiveConfig", "reloaded"]

RELOADABLE = ("rates", "countries")


def reloaded(current: Config, fresh: Config) -> tuple[Config, list[str]]:
    """`current` with the reloadable settings of `fresh`, and the names of those that changed."""
    changed = [name for name in RELOADABLE if getattr(current, name) != getattr(fresh, name)]
    return dataclasses.replace(current, **{n: getattr(fresh, n) for n in RELOADABLE}), changed


class LiveConfig:
    def __init__(self, config: Config) -> None:
        self.current = config

    def apply(self, fresh: Config) -> list[str]:
        self.current, changed = reloaded(self.current, fresh)
        return changed
