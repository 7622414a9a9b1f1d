"""IFT 3395, Devoir 3 (theory): the autograder (rubric, checks, sandbox, reporters, Gradescope flow)."""

__version__ = "1.0.0"
