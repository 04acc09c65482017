"""Publication: the deliverables consumers receive (CNSA workbooks, proofs of use, audit samples, ...)."""
