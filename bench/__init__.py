"""Developer tools that prove the rubric (mutation analysis) and measure the grader (benchmark).

Not shipped in the Gradescope zip (see autograder/packaging.py).
"""
