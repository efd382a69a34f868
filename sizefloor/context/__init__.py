"""sizefloor.context.measure."""
