"""The adapter contract (`contract`) and the registry of the platforms the bot speaks
(`registry`). The registrations import the contract and the registry imports the
registrations, so this package imports neither: import from its modules."""
