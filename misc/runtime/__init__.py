"""How a process starts, runs and stops: the entry point and its one-line errors, signals and graceful
shutdown, the webhook server, the heartbeat for health checks, the job queue, the limits shared between
webhook workers, and logging.
"""
