"""The command line and the scheduler: the thin layer that wires ingest, store and publish."""
