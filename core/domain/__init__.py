"""The domain model, its vocabulary and its events."""
