from __future__ import annotations

import string

from data.locales import LOCALE_DIR, Locales

REQUIRED_LANGUAGES = {"ar", "en", "hi", "id", "ru", "so", "uk", "vi"}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_required_language_has_a_locale_file() -> None:
    assert set(Locales.load().languages) >= REQUIRED_LANGUAGES


def test_all_locales_have_the_same_keys_as_english() -> None:
    locales = Locales.load()
    english = locales.keys("en")
    for language in locales.languages:
        assert locales.keys(language) == english, language


def test_translations_use_the_same_placeholders_and_are_not_empty() -> None:
    locales = Locales.load()
    for key in locales.keys("en"):
        expected = placeholders(locales.text("en", key))
        for language in locales.languages:
            raw = locales._texts[language][key]
            assert raw.strip(), (language, key)
            assert placeholders(raw) == expected, (language, key)


def test_telegram_language_codes_pick_the_locale_and_unknown_ones_fall_back_to_english() -> None:
    locales = Locales.load()
    assert locales.pick(None, "ru") == "ru"
    assert locales.pick(None, "pt-BR") == "en"
    assert locales.pick("uk", "ru") == "uk"
    assert LOCALE_DIR.is_dir()
