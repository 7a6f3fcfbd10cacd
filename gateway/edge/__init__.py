"""The gateway's HTTP edge: authentication, limits, the error middleware, the carrier's
webhooks and the operations endpoints."""
