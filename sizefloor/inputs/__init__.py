"""What the user hands over: requirements files and strings, pip's configuration."""
