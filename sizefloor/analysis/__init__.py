"""What a report says beyond its sizes: the dependency graph, attribution, findings, budgets, the
difference of two reports, what a Dockerfile's image adds beside the floor.
"""
