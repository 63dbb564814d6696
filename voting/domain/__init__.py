"""Pure election logic: the count, the formats, tokens and keys (no Flask, no database)."""
