"""The network: one HTTP client with pip's habits, per-origin transports, DNS, retries."""
