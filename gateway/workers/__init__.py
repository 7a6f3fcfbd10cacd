"""The gateway's background work: the dispatcher and the carrier client it sends through,
reconciliation of lost callbacks, housekeeping."""
