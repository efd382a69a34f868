"""sizefloor.index.finder."""
