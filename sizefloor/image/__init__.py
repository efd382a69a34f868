"""Real images: archives, layers, the filesystem they make, the Pythons in them, and the audit
against the floor.
"""
