"""The command line's commands, one module each; :mod:`sizefloor.cli` dispatches.

Each module has ``build_parser() -> argparse.ArgumentParser`` and
``run(args) -> int``; it may raise :class:`~sizefloor.errors.SizefloorError`,
which the dispatcher turns into a message and an exit status.
"""
