"""Resolution: the complete set of distributions the target would install, and why each is there."""
