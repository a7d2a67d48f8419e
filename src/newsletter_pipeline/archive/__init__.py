"""The web archive: one page per issue, an index, an Atom feed and a sitemap.

Stages, in pelican's order (every issue is known before anything is written):

- ``sources``: find the issue files, refuse duplicate slugs, read the project settings;
- ``cache``: the content hash of each issue and the manifest of the last build,
  so unchanged issues are not rendered again;
- ``page``: the rendered email adapted for the web (one source of truth);
- ``site``: the pages, index, feed and sitemap rendered with ``templates/web/``;
- ``publish``: a first build appears in one rename; an update writes only what
  changed, each file atomically, pages before the index that links to them.

``commands/archive.py`` orchestrates them.
"""
