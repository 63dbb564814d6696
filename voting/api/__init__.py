"""The JSON API /api/v1 (see CONTRACT.md): public reads and the token-authenticated cast."""

from voting.api.routes import bp

__all__ = ["bp"]
