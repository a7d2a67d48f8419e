"""Collect every built-in message into ``catalogues/messages.pot`` and update the ``.po`` files.

Run ``python -m newsletter_pipeline.i18n.extract`` after adding or changing
a message in a template (``_("...")``) or in the code, then translate the new
entries that each ``.po`` file gains (they are empty and marked fuzzy until
then; ``tests/test_i18n.py`` fails while any is missing). Babel does the
work: its Jinja and Python extractors, ``read_po``/``write_po`` and
``Catalog.update``.
"""

from __future__ import annotations

from pathlib import Path

from . import CATALOGUES, TEMPLATE

PACKAGE = Path(__file__).resolve().parent.parent
# the built-in templates (a source checkout's templates/, or the wheel's copy) and the code
JINJA = "jinja2.ext:babel_extract"
# the templates' own settings (render/templates.py): a message's line is where the template writes it
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trim_blocks": "true",
                 "lstrip_blocks": "true"}
SOURCES: tuple[tuple[str, str], ...] = (("**.j2", JINJA), ("**.py", "python"))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def extract():  # -> babel.messages.catalog.Catalog
    """Every message of the built-in templates and the package's code, in source order."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from ..template_folders import builtin_templates
    catalog = Catalog(project="newsletter-pipeline", charset="utf-8")
    for folder in (builtin_templates(), PACKAGE):
        for filename, lineno, message, comments, context in extract_from_dir(
                folder, method_map=list(SOURCES), keywords=KEYWORDS,
                options_map={"**.j2": JINJA_OPTIONS}):
            catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def main() -> None:
    from babel.messages.pofile import read_po, write_po
    template = extract()
    with open(TEMPLATE, "wb") as out:
        write_po(out, template, omit_header=False, no_location=False, width=100)
    for po_path in sorted(CATALOGUES.glob("*.po")):
        with open(po_path, "rb") as po:
            catalog = read_po(po, locale=po_path.stem)
        catalog.update(template, no_fuzzy_matching=True)
        with open(po_path, "wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True)
        print(f"updated {po_path.name}")


if __name__ == "__main__":
    main()
