"""Persistence: SQLAlchemy mapping, repositories and the database engine."""
