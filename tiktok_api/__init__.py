"""A TikTok client: videos without watermark, slideshows and sounds, through rotating proxies.

It knows nothing of Telegram or databases and could be published on its own. Import what you need from
its modules (`tiktok_api.client.TikTokClient`, `tiktok_api.config.ClientConfig`, `tiktok_api.links`,
`tiktok_api.models`, `tiktok_api.proxies`); the package itself imports nothing, so that
`tiktok_api.images` (loaded by image worker processes) does not pull in yt-dlp.
"""
