"""After `pybabel update`: give each catalog its language header (plural forms included), and
fill the English catalog, whose texts are the source texts themselves."""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).parent.parent / "handlers/i18n/locales"

for language, locale in (("da", "da_DK"), ("en", "en_GB")):
    path = LOCALES / language / "LC_MESSAGES/messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    catalog.project, catalog.version, catalog.fuzzy = "Samskab", "0.1", False
    catalog.obsolete.clear()  # texts the code no longer uses
    for message in catalog:
        if language == "en" and message.id:
            if isinstance(message.id, tuple) and not all(message.string):
                message.string = message.id  # singular and plural, as written in the code
            elif not message.string:
                message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, sort_output=True, no_location=True, width=100)
