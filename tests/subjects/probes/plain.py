"""A Python probe with no SDK: a plain loop over the subject, LEAKCHECK_ITERATIONS calls."""

import os

from subject import call_for

call = call_for(os.environ["SUBJECT_KIND"])
for i in range(int(os.environ.get("LEAKCHECK_ITERATIONS", "1000"))):
    call(i)
