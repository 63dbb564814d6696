"""The JSON API /api/v1 (see CONTRACT.md): public reads and the token-authenticated cast.

One blueprint per topic; `blueprints` is what the app registers.
"""

from voting.api.projects import bp as projects
from voting.api.results import bp as results
from voting.api.routes import bp

blueprints = [bp, results, projects]
