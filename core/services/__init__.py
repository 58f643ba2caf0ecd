"""Services: the message bus, its handlers, the unit of work and the ingest of stored webhooks."""
