"""The gateway's pure core: rules and records, no I/O (no aiohttp, no database, no clock
but the one a caller passes)."""
