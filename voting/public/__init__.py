"""The public portal: selected projects, their progress, results, proposals.

One blueprint per topic; `blueprints` is what the app registers.
"""

from voting.public.results import bp as results
from voting.public.routes import bp

blueprints = [bp, results]
