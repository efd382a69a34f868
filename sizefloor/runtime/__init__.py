"""sizefloor.runtime.catalogue."""
