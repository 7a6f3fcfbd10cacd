"""The simulator's settings, read once from the command line."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from simulator.scenario import Scenario, load
from simulator.scenario.carrier_model import Account
from telecom.wire import is_sid

__all__ = ["SimulatorConfig"]


@dataclass(frozen=True)
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8090
    scenario_path: Path | None = None
    account_sid: str | None = None
    auth_token: str | None = None

    def __repr__(self) -> str:  # never print the token
        return (
            f"SimulatorConfig(host={self.host!r}, port={self.port}, "
            f"scenario_path={self.scenario_path!r}, account_sid={self.account_sid!r})"
        )

    def scenario(self) -> Scenario | None:
        """The scenario to serve (None: the built-in default), with the CLI's account applied."""
        from simulator.app import DEFAULT_SCENARIO

        scenario = load(self.scenario_path) if self.scenario_path else None
        if self.account_sid is None and self.auth_token is None:
            return scenario
        base = scenario or DEFAULT_SCENARIO
        sid = self.account_sid or base.accounts[0].sid
        if not is_sid(sid, "AC"):
            raise ValueError(f"--account-sid must be AC followed by 32 hex digits, got {sid!r}")
        token = self.auth_token or base.accounts[0].auth_token
        return replace(base, accounts=(Account(sid, token),))
