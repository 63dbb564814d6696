"""The public portal: selected projects, their progress, results, proposals.

One blueprint per topic; `blueprints` is what the app registers.
"""

from voting.public.feed import bp as feed
from voting.public.portal import bp as portal
from voting.public.proposals import bp as proposals
from voting.public.results import bp as results
from voting.public.routes import bp

blueprints = [bp, portal, proposals, results, feed]
