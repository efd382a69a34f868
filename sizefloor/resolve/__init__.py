"""sizefloor.resolve.provider."""
