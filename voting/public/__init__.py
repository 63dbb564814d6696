"""The public portal: selected projects, their progress, results, proposals."""

from voting.public.routes import bp

__all__ = ["bp"]
