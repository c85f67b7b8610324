"""How the bot talks to the Bot API: the session and its retries, rate limits, sending media and
reactions, keyboards and callback data, inline result builders, and the broadcast runner.

Change how a video is sent, or what a button carries, here.
"""
