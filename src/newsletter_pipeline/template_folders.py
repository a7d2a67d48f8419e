"""Where templates are looked up: the override chain, as folders (no Jinja here).

``--templates DIR``, the ``templates:`` folder named in newsletter.yaml, the
project's ``templates/``, then the built-in templates shipped with the
package; first match wins. Its own module because the issue loader needs it
too (the project's templates may add messages that ``strings:`` translates),
and the loader comes before ``render/``, which imports Jinja.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"  # wheel installs
_SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # source checkouts


def builtin_templates() -> Path:
    return _PACKAGE_TEMPLATES if _PACKAGE_TEMPLATES.is_dir() else _SOURCE_TEMPLATES


def template_chain(project_root: Path, configured: str | None,
                   override: Path | None = None) -> tuple[Path, ...]:
    """Every folder of the override chain, resolved, most specific first, without duplicates.

    Present or not: the archive hashes them all, since a missing one may
    appear later. ``configured`` is newsletter.yaml's ``templates:``.
    """
    chain: list[Path] = []
    if override is not None:
        chain.append(Path(override))
    if configured:
        chain.append(project_root / configured)
    chain += [project_root / "templates", builtin_templates()]
    return tuple(dict.fromkeys(folder.resolve() for folder in chain))


def existing(chain: tuple[Path, ...]) -> tuple[Path, ...]:
    """The folders of ``chain`` that exist: what Jinja searches."""
    return tuple(folder for folder in chain if folder.is_dir())


def project_templates(chain: tuple[Path, ...]) -> dict[str, Path]:
    """The project's own templates a render uses: each name (``blocks/article.txt.j2``) in its first folder.

    A name the built-in folder holds before any project folder is no project
    template, nor is anything when the project's folder is the built-in one
    (this repository).
    """
    builtin = builtin_templates().resolve()
    folders = existing(chain)
    taken: set[str] = set()
    found: dict[str, Path] = {}
    for folder in folders:
        if folder == builtin and folder == folders[-1]:
            break  # the usual place of the built-in folder: it can shadow nothing after it
        for path in sorted(folder.rglob("*.j2")):
            name = path.relative_to(folder).as_posix()
            if name not in taken and path.is_file():
                taken.add(name)
                if folder != builtin:
                    found[name] = path
    return found
