"""Files on disk: JSON Lines read back line by line, and JSON written atomically (standard library only)."""
