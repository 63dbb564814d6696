"""State changes, one small documented function each, shared by the web views and the CLI."""
