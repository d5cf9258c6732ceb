"""The bøvl round (step 2, "Udfordringer og muligheder"): what gets in the way of the core task,
asked of everyone, sorted, supported with dots, and the top challenges chosen.

rounds (start, the current round, phases), asking (DMs, reminders), collecting (the add form),
similar (Danish look-alikes), board (the channel message), sorting (merge, outside the frame),
voting and ballots (the dots), results and choosing; command (`/samskab bøvl …`)."""
