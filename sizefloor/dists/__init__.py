"""sizefloor.dists."""
