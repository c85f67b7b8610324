pytest_plugins = [
    "tests.plugins.database",
    "tests.plugins.telegram",
    "tests.plugins.tiktok",
    "tests.plugins.tiktok_client",
    "tests.plugins.bot",
    "tests.plugins.stats",
]
