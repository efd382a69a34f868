"""sizefloor.net."""
