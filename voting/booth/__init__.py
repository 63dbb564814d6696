"""The voting booth: /v/<token>, what a deputy sees after scanning a slip."""

from voting.booth.routes import bp

__all__ = ["bp"]
