"""Reading and checking the inputs: files to checked objects, every problem with its file, line
and column. The candidate file becomes a `Universe`, the mandate a `Mandate`, the reference
tables a `Reference`; each keeps the `Provenance` of the bytes it was read from. Scoring (the
rest of `screening/`) starts from these."""
