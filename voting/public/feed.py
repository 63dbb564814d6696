"""The Atom feed of progress updates, for anyone who follows the projects being built."""

from flask import Blueprint

bp = Blueprint("public_feed", __name__)
