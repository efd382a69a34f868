"""The Python runtime under the dependencies: the catalogue of bases, the host, the Debian
computation, the comparison of bases.
"""
