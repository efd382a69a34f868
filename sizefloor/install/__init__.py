"""What an installer writes: the install plan, disk blocks, the bytecode model, its calibration,
exact bytecode, and the target's CPython that compiles it (found where users keep it).
"""
