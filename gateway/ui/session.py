"""The console's session: a signed cookie naming the organization, and its CSRF token.

Pure apart from the clock passed in. The cookie holds `session id . organization . expiry`
and an HMAC-SHA256 of them under the console's secret; the API key itself is never stored,
only checked once at sign-in. The CSRF token is a second HMAC of the session id, so a form
posted by another site (which cannot read our cookie nor our pages) cannot carry it. Signing
out remembers the session id as ended until it would have expired anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

__all__ = ["COOKIE", "Session", "SessionKeeper"]

COOKIE = "smslab_session"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    organization_id: str
    expires: int  # unix seconds

    @property
    def payload(self) -> str:
        return f"{self.id}.{self.organization_id}.{self.expires}"


@dataclass
class SessionKeeper:
    secret: bytes
    ttl: int  # seconds a session lasts
    _ended: dict[str, int] = field(default_factory=dict)  # session id -> its expiry

    def _mac(self, purpose: str, text: str) -> str:
        return hmac.new(self.secret, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()

    def start(self, organization_id: str, now: float) -> tuple[Session, str]:
        """A new session and its cookie value."""
        session = Session(secrets.token_urlsafe(16), organization_id, int(now) + self.ttl)
        return session, f"{session.payload}.{self._mac('session', session.payload)}"

    def read(self, cookie: str | None, now: float) -> Session | None:
        """The session a cookie value carries, or None if forged, expired or ended."""
        if not cookie:
            return None
        payload, _, mac = cookie.rpartition(".")
        parts = payload.split(".")
        if len(parts) != 3 or not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        try:
            session = Session(parts[0], parts[1], int(parts[2]))
        except ValueError:
            return None
        if session.expires <= now or session.id in self._ended:
            return None
        return session

    def end(self, session: Session, now: float) -> None:
        self._ended = {k: v for k, v in self._ended.items() if v > now}  # forget the expired
        self._ended[session.id] = session.expires

    def csrf_token(self, session: Session) -> str:
        return self._mac("csrf", session.id)

    def csrf_ok(self, session: Session, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.csrf_token(session))

    def login_token(self, nonce: str) -> str:
        """The sign-in form's CSRF token: bound to a random cookie set with the form."""
        return self._mac("login", nonce)
