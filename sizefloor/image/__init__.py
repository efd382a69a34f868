"""sizefloor.image.reader."""
