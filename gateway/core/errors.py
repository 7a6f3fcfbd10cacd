"""Every exception the gateway raises on purpose. Pure: no aiohttp here.

GatewayError
├── ApiError                 -- rendered by gateway.edge.middleware in Close's shapes
│   ├── ValidationFailed     -- 400 {"errors": [...], "field-errors": {...}}
│   ├── BadRequest           -- 400 {"error": "..."}
│   ├── RentFailed           -- 400 {"status": "...", "error": "..."} (phone number rent)
│   ├── Unauthorized         -- 401
│   ├── NotFound             -- 404
│   ├── KeyInUse             -- 409: a request under the same Idempotency-Key is in progress
│   ├── KeyReused            -- 422: an Idempotency-Key sent again with another request
│   └── CarrierDown          -- 502: the carrier could not be reached for a synchronous call
└── CarrierError             -- raised by the carrier client, never escapes to a client as is
    ├── CarrierRejected(code, message)  -- a 4xx Twilio error: final for that request
    └── CarrierUnavailable(message)     -- 5xx, 20429, timeout, connection: try again later
        └── CarrierMisconfigured(message) -- our credentials or URL are wrong, or what answers
                                             is not Twilio: no message is at fault, every call
                                             fails the same way until the config is fixed
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "BadRequest",
    "CarrierDown",
    "CarrierError",
    "CarrierMisconfigured",
    "CarrierRejected",
    "CarrierUnavailable",
    "GatewayError",
    "KeyInUse",
    "KeyReused",
    "NotFound",
    "RentFailed",
    "Unauthorized",
    "ValidationFailed",
]


class GatewayError(Exception):
    pass


class ApiError(GatewayError):
    status = 500

    def body(self) -> dict[str, Any]:
        return {"error": str(self)}


class ValidationFailed(ApiError):
    status = 400

    def __init__(
        self, field_errors: dict[str, str] | None = None, errors: list[str] | None = None
    ) -> None:
        self.field_errors = dict(field_errors or {})
        self.errors = list(errors or [])
        super().__init__(
            "; ".join([*self.errors, *(f"{k}: {v}" for k, v in self.field_errors.items())])
        )

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors, "field-errors": self.field_errors}


class BadRequest(ApiError):
    status = 400


class RentFailed(ApiError):
    status = 400

    def __init__(self, message: str, rent_status: str = "error") -> None:
        self.rent_status = rent_status
        super().__init__(message)

    def body(self) -> dict[str, Any]:
        return {"status": self.rent_status, "error": str(self)}


class Unauthorized(ApiError):
    status = 401


class NotFound(ApiError):
    status = 404


class KeyInUse(ApiError):
    status = 409


class KeyReused(ApiError):
    status = 422


class CarrierDown(ApiError):
    status = 502


class CarrierError(GatewayError):
    pass


class CarrierRejected(CarrierError):
    def __init__(self, code: int | None, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class CarrierUnavailable(CarrierError):
    pass


class CarrierMisconfigured(CarrierUnavailable):
    """401/403 (20003), a 404 on our account's own collection, or an answer that is not
    Twilio's. An outage of our making: the create never reached a Messages resource."""
