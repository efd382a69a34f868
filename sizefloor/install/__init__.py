"""What an installer writes: the install plan, disk blocks, the bytecode model, its calibration,
exact bytecode.
"""
