"""The Python runtime under the dependencies: the catalogue of bases, the host, the Debian
computation (and the Debian packages a Dockerfile adds), the comparison of bases.
"""
