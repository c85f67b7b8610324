"""What happens to a post on its way to a user: resolve → cache → one download → send → remember → record.

Links in chats, inline results and sound presses are doors into the same steps; where the result goes
(a chat, an inline message) is a destination. Support a new entry point or a new media kind here.
"""
