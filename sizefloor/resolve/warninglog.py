"""Warnings gathered during a resolution, from the threads that fetch ahead as well."""

from __future__ import annotations

import threading


class WarningLog:
    """Messages in the order first said, each kept once."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._lock = threading.Lock()

    def add(self, message: str) -> None:
        with self._lock:
            if message not in self.messages:
                self.messages.append(message)
