"""sizefloor.analysis.attach."""
