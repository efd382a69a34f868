"""Package indexes: PEP 503/691 pages and find-links, the files they list, the finder."""
