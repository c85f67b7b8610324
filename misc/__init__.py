"""Everything between a Telegram update and a TikTok post, in three rooms, one job each.

- `misc.delivery`: what happens to a post on its way to a user (the pipeline, its doors and destinations,
  captions, failures told in the user's language).
- `misc.telegram`: how we talk to the Bot API (session and retries, rate limits, the media sender,
  reactions, keyboards, inline result builders, the broadcast runner).
- `misc.runtime`: how a process starts, runs and stops (entry point, lifecycle, webhook server, heartbeat,
  job queue and the limits shared between workers, logging).
"""
