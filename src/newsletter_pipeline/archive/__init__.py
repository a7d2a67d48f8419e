"""The web archive: one page per issue, an index, an Atom feed and a sitemap.

Stages, in pelican's order (every issue is known before anything is written):

- ``sources``: find the issue files, refuse duplicate slugs, read the project settings;
- ``cache``: the content hash of each issue and the manifest of the last build,
  so unchanged issues are not rendered again;
- ``page``: the rendered email adapted for the web (one source of truth);
- ``site``: the pages, index, feed and sitemap rendered with ``templates/web/``;
- ``publish``: the new site is assembled in a sibling folder and swapped in, so
  readers see the old site or the new one, never half of each.

``commands/archive.py`` orchestrates them.
"""
