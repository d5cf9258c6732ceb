"""Where the process stands: the status, the scheduled digest, a person's own page, and "you said – we did"."""
