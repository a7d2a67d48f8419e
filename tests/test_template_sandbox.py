"""Templates are code and run sandboxed: a hostile or careless override fails, located, instead of
running commands, copying secrets into the email, or hanging the build.

Every case is a real ``newsletter build`` (or ``archive``) process with a ``--templates`` override.
"""

from __future__ import annotations

import pytest

from archive_helpers import issue_yaml
from shared import assert_clean_failure, clean_env

ISSUE = "issues/2022-01-hello.yaml"
SECRET = "s3cret-smtp-password-4711"
OVERRIDE = "over/blocks/masthead.mjml.j2"
# line 2 of each template is the offending one
HOSTILE = {
    "command": "{{ url.__globals__['os'].popen('touch pwned').read() }}",
    "environment": "{{ cycler.__init__.__globals__.os.environ }}",
    "class-walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "huge-range": "{% for i in range(10**9) %}x{% endfor %}",
    "nested-loops": "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(10) %}"
                    "{% endfor %}{% endfor %}{% endfor %}",
    "reused-list": "{% set r = range(200)|list %}{% for a in r %}{% for b in r %}{% for c in r %}"
                   "{% endfor %}{% endfor %}{% endfor %}",
    "string-times": "{{ 'a' * 10**9 }}",
    "power": "{{ 10 ** 1000000 }}",
    "doubling": "{% set ns = namespace(s='abcdefgh') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                "{% endfor %}",
    "output": "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
    # filters and text methods that grow a text (found by a hostile tester: 2 GB, then 5.5 GB in 21 s)
    "center": "{{ 'a'|center(2000000000)|length }}",
    "indent": "{{ ('a\\n' * 20000000)|indent(100)|length }}",
    "replace": "{{ ('x' * 1000000)|replace('x', 'y' * 100) }}",
    "format-filter": "{{ '%2000000000s'|format('a') }}",
    "ljust": "{{ 'a'.ljust(2000000000) }}",
    "str-format": "{{ '{:{}}'.format('a', 2000000000) }}",
    # and the ways round those guards that the next hostile tester found (1 to 3 GB each)
    "wordwrap": "{{ ('a ' * 1000)|wordwrap(1, wrapstring='x' * 1000000) }}",
    "join": "{{ (['x' * 10000000] * 300)|join }}",
    "percent": "{{ '%*s' % (1000000000, 'a') }}",
    "width-as-text": "{{ '{0:>{1}}'.format('a', '1000000000') }}",
    "batch": "{{ [1]|batch(200000000, 'x')|list|length }}",
    "extend": "{% set l = ['x'] %}{{ l.extend('x' * 50000000) }}",  # doubling by extend(l) took 2 GB
    "str-join": "{{ ('x' * 1000000).join(['a'] * 1000)|length }}",
}
REFUSED = {
    "command": "access to attribute '__globals__' of 'function' object is unsafe",
    "environment": "access to attribute '__init__' of 'type' object is unsafe",
    "class-walk": "access to attribute '__class__' of 'str' object is unsafe",
    "huge-range": "range() is limited to 100,000 numbers in a template",
    "nested-loops": "the template's loops ran more than 1,000,000 times",
    "reused-list": "the template's loops ran more than 1,000,000 times",
    "string-times": "the template would make a text or list of more than 50,000,000 characters or items",
    "power": "10 ** 1000000 is a number too large for a template",
    "doubling": "the template would make a text or list of more than 50,000,000 characters or items",
    "output": "the template wrote more than 50,000,000 characters",
    "center": "the template would make a text or list of more than 50,000,000 characters or items",
    "indent": "the template would make a text or list of more than 50,000,000 characters or items",
    "replace": "the template would make a text or list of more than 50,000,000 characters or items",
    "format-filter": "the template would format a text wider than 50,000,000 characters",
    "ljust": "the template would make a text or list of more than 50,000,000 characters or items",
    "str-format": "the template would format a text wider than 50,000,000 characters",
    "wordwrap": "the template would make a text or list of more than 50,000,000 characters or items",
    "join": "the template would make a text or list of more than 50,000,000 characters or items",
    "percent": "the template would format a text wider than 50,000,000 characters",
    "width-as-text": "the template would format a text wider than 50,000,000 characters",
    "batch": "the template would make a text or list of more than 50,000,000 characters or items",
    "extend": "the template would make a text or list of more than 50,000,000 characters or items",
    "str-join": "the template would make a text or list of more than 50,000,000 characters or items",
}


@pytest.fixture
def project(make_project):
    return make_project({ISSUE: issue_yaml("Hello", "2022-01-10")})


def build(run_cli, root, *extra: str):
    return run_cli("build", ISSUE, "--out", "out", *extra, cwd=root, env=clean_env(NEWSLETTER_SMTP_PASSWORD=SECRET),
                   timeout=60)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_template_that_leaves_the_sandbox_is_refused_at_its_line(project, run_cli, case):
    (project / OVERRIDE).parent.mkdir(parents=True)
    (project / OVERRIDE).write_text(f"<mj-section><mj-column>\n{HOSTILE[case]}\n</mj-column></mj-section>\n",
                                    encoding="utf-8")
    lines = assert_clean_failure(build(run_cli, project, "--templates", "over"), 1)
    assert len(lines) == 1, lines
    # the output is measured where the layout writes it, which holds every block's text
    where = "layout.mjml.j2:" if case == "output" else f"{OVERRIDE}:2:1"
    assert where in lines[0].split(": error: ")[0], lines[0]
    assert f": error: template refused: {REFUSED[case]} (" in lines[0], lines[0]
    assert "see README 'Templates'" in lines[0]
    assert SECRET not in lines[0]
    assert sorted(p.name for p in project.iterdir()) == ["issues", "newsletter.yaml", "over"]  # no out/, no pwned


def test_a_web_template_of_the_archive_is_sandboxed_too(make_project, run_cli):
    root = make_project({ISSUE: issue_yaml("Hello", "2022-01-10"),
                         "templates/web/index.html.j2": "<ul>\n{{ cycler.__init__.__globals__.os.environ }}\n</ul>\n"})
    result = run_cli("archive", "--out", "site", "--base-url", "https://news.ai4media.eu/", cwd=root,
                     env=clean_env(), timeout=60)
    lines = assert_clean_failure(result, 1)
    assert lines[0].startswith("templates/web/index.html.j2:2:1: error: template refused: "), lines
    assert not (root / "site").exists()


def test_an_override_within_the_limits_renders(project, run_cli):
    """Against the tests above passing because overrides always fail: loops, ranges, ``*``, ``~`` work."""
    (project / OVERRIDE).parent.mkdir(parents=True)
    (project / OVERRIDE).write_text(
        "<mj-section><mj-column><mj-text><h1>{{ block.title }}</h1>\n"
        "{% for i in range(3) %}{{ '-' * 2 ~ i }}{% endfor %}{{ (['a'] + ['b'])|join }}{{ 2 ** 8 }}"
        "{{ 'c'|center(3) }}{{ 'd\\ne'|indent(2) }}{{ 'f'|replace('f', 'gh') }}{{ '%03d'|format(7) }}"
        "{{ 'i'.ljust(2, '.') }}{{ '{}{}'.format('j', 'k') }}{{ 'l m'|wordwrap(1) }}{{ ['n', 'o']|join('-') }}"
        "{{ '%s%d' % ('p', 1) }}{{ [1, 2, 3]|batch(2, 0)|list|length }}{{ ','.join(['q', 'r']) }}\n"
        "</mj-text></mj-column></mj-section>\n", encoding="utf-8")
    result = build(run_cli, project, "--templates", "over")
    assert result.returncode == 0, result.stderr
    html = (project / "out" / "2022-01-hello" / "email.html").read_text(encoding="utf-8")
    assert "--0--1--2ab256 c d\n  egh007i.jkl\nmn-op12q,r" in html
