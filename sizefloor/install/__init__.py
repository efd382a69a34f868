"""sizefloor.install.plan."""
