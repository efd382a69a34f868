"""sizefloor.render."""
