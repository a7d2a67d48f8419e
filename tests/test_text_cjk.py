"""Chinese, Japanese and Korean in the plain-text part: 78 display columns, breaks where the languages allow.

A wide character takes two columns in a monospace client (UAX #11); the
widths here are counted by ``unicodedata`` in the test itself, not by the
module under test. A zh-Hans article body used to come out as one line of
142 characters (284 columns), and 研讨会与活动 got six '=' under it.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

import pytest

from newsletter_pipeline.render import build_issue, eastasian
from newsletter_pipeline.render.eastasian import has_wide
from newsletter_pipeline.render.text import RLM, RULE, WIDTH, wrap_lines

# what must not start a line (kinsoku): closing brackets and quotes (categories Pe, Pf), the
# ideographic comma and full stop, ！？：；, the small kana, ー and the iteration marks
MUST_NOT_START = set("、。，．：；！？!?,.:;・ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…‥")
MUST_NOT_END = set("（「『【〔《〈“‘(")  # opening brackets and quotes


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def closing(char: str) -> bool:
    return char in MUST_NOT_START or unicodedata.category(char) in ("Pe", "Pf")


def assert_fits(lines: list[str]) -> None:
    """Every line within 78 columns, but a line that holds one long URL."""
    too_wide = [line for line in lines if columns(line) > WIDTH and not re.search(r"https?://\S{50,}", line)]
    assert not too_wide, [(columns(line), line) for line in too_wide]


def assert_kinsoku(lines: list[str]) -> None:
    """No line starts with closing punctuation, none ends with opening punctuation."""
    starts = [line for line in lines[1:] if line.strip() and closing(line.lstrip()[0])]
    ends = [line for line in lines if line.strip() and line.rstrip()[-1] in MUST_NOT_END]
    assert not starts and not ends, (starts, ends)


ZH = ("我们很高兴地宣布，人工智能与媒体研讨会将于今年秋天在雅典举行。来自欧洲各地的研究人员、记者和开发者将共同探讨"
      "可信赖的人工智能、深度伪造检测以及媒体行业的未来发展方向，并在报名截止日期（六月三十日）之前完成注册。")
JA = ("人工知能とメディアに関するワークショップを今年の秋にアテネで開催することになりました。ヨーロッパ各地から研究者、"
      "ジャーナリスト、開発者が集まり、信頼できる人工知能やディープフェイクの検出、そしてメディア業界の将来について"
      "議論します。「参加登録」は六月三十日までにお願いいたします。")
KO = ("올해 가을 아테네에서 인공지능과 미디어에 관한 워크숍이 열립니다. 유럽 각지의 연구자, 기자, 개발자들이 모여 "
      "신뢰할 수 있는 인공지능과 딥페이크 탐지, 그리고 미디어 산업의 미래에 대해 논의할 예정입니다. 참가 신청은 "
      "유월 삼십일까지 해 주시기 바랍니다.")


@pytest.mark.parametrize("paragraph", [ZH, JA], ids=["zh", "ja"])
def test_chinese_and_japanese_break_between_characters_within_78_columns(paragraph):
    lines = wrap_lines(paragraph)
    assert len(lines) >= 3
    assert_fits(lines)
    assert all(columns(line) >= WIDTH - 6 for line in lines[:-1]), lines  # filled, not broken early
    assert "".join(lines) == paragraph  # nothing added or lost: no space between CJK characters
    assert_kinsoku(lines)


# 39 ideographs fill a line exactly (78 columns); what comes 40th would start the next line
@pytest.mark.parametrize("after", list("。，、）」』！？：ーっ々・…") + ["”"])
def test_closing_punctuation_never_starts_a_line(after):
    lines = wrap_lines("研" * 39 + after + "究" * 20)
    assert_fits(lines)
    assert lines[1].startswith("研" + after), lines  # the character before it came along to the next line
    assert "".join(lines) == "研" * 39 + after + "究" * 20


@pytest.mark.parametrize("before", list("（「『【《“"))
def test_opening_punctuation_never_ends_a_line(before):
    lines = wrap_lines("研" * 38 + before + "究" * 20)  # the bracket would be the last two columns
    assert_fits(lines)
    assert lines[1].startswith(before + "究"), lines
    assert_kinsoku(lines)


def test_korean_breaks_at_its_spaces():
    lines = wrap_lines(KO)
    assert len(lines) >= 3
    assert_fits(lines)
    assert [word for line in lines for word in line.split(" ")] == KO.split(" ")  # every word whole


def test_a_korean_word_wider_than_the_line_is_broken_between_syllables():
    word = "가나다라마바사아자차카타파하" * 4  # 56 syllables, 112 columns, no space
    lines = wrap_lines("앞에 " + word + " 뒤에")
    assert_fits(lines)
    assert "".join(lines).replace(" ", "") == ("앞에" + word + "뒤에")


MIXED = ("本周我们发布了 Python 库 newsletter-pipeline 的新版本，支持TensorFlow和PyTorch，"
         "详情请访问https://www.ai4media.eu/news/2024/05/release-notes-for-the-spring-edition/了解更多，"
         "维基百科条目 https://zh.wikipedia.org/wiki/人工智能伦理学 也值得一读；写信请寄 info@ai4media.eu。"
         "我们的研讨会将在雅典举行，欢迎所有感兴趣的合作伙伴参加本次会议并提出宝贵意见和建议。")


def test_mixed_chinese_latin_and_urls_keep_words_and_urls_whole():
    lines = wrap_lines(MIXED)
    assert len(lines) >= 4
    assert_fits(lines)
    assert_kinsoku(lines)
    for whole in ("https://www.ai4media.eu/news/2024/05/release-notes-for-the-spring-edition/",
                  "https://zh.wikipedia.org/wiki/人工智能伦理学", "info@ai4media.eu", "newsletter-pipeline",
                  "TensorFlow", "PyTorch", "Python"):
        assert any(whole in line for line in lines), (whole, lines)
    # every run of Latin letters, digits and ASCII punctuation is on one line, as written
    runs = re.findall(r"[!-~]+", MIXED)
    assert [run for line in lines for run in re.findall(r"[!-~]+", line)] == runs


def test_a_latin_paragraph_is_wrapped_as_textwrap_always_wrapped_it():
    latin = ("36 European organisations have already joined our network — “trustworthy AI” included — and "
             "have become associate members: https://www.ai4media.eu/very/long/path/that/goes/on/and/on/past/"
             "the/seventy-eight/column/limit/?utm_source=newsletter and more words   after  it, well-known.")
    assert not has_wide(latin)
    for indent, hanging in (("", None), ("    ", None), ("", "  "), ("- ", "  ")):
        expected = textwrap.wrap(latin, WIDTH, initial_indent=indent,
                                 subsequent_indent=hanging if hanging is not None else indent,
                                 break_long_words=False, break_on_hyphens=False)
        assert wrap_lines(latin, indent, hanging) == expected
        # the Latin parts of a mixed paragraph are filled as textwrap fills them
        assert eastasian.wrap(latin, WIDTH, indent, hanging) == expected


ISSUE = "issues/2024-05-cjk.yaml"


def cjk_issue(language: str, title: str, body: str) -> str:
    indented = "\n".join("      " + line if line else "" for line in body.split("\n"))
    return (f"subject: {title}\ndate: 2024-05-15\nlanguage: {language}\nblocks:\n  - type: masthead\n"
            f"    title: {title}\n  - type: article\n    title: {title}\n    body: |-\n{indented}\n"
            "    link:\n      label: 阅读更多\n      url: https://www.ai4media.eu/events/\n")


@pytest.fixture
def build(make_project, monkeypatch):
    def run(language: str, title: str, body: str) -> str:
        root = make_project({ISSUE: cjk_issue(language, title, body)})
        monkeypatch.chdir(root)
        return build_issue(ISSUE)[1].text
    return run


def test_list_items_keep_their_hanging_indent(build):
    body = (f"- {ZH}\n- 第二项：Python 与 TensorFlow 的实践课程。\n  - {JA}\n\n"
            f"1. {JA}\n2. {KO}")
    lines = build("zh-Hans", "研讨会与活动", body).splitlines()
    assert_fits(lines)
    assert_kinsoku(lines)
    for marker, hanging, text in (("- ", "  ", ZH), ("  - ", "    ", JA), ("1. ", "   ", JA), ("2. ", "   ", KO)):
        start = next(i for i, line in enumerate(lines) if line.startswith(marker + text[:5]))
        following = lines[start + 1: lines.index("", start)]
        assert len(following) >= 2, lines[start:]
        for line in following:  # under the item's text, not under its marker
            assert line.startswith(hanging) and not line[len(hanging)].isspace(), line


def test_headings_are_underlined_as_wide_as_they_show(build):
    long_title = "人工智能与媒体研讨会将于今年秋天在雅典举行来自欧洲各地的研究人员记者和开发者将共同探讨"  # 43: wraps
    text = build("zh-Hans", "研讨会与活动", f"{ZH}\n\n### 会议日程\n\n{ZH}")
    assert "研讨会与活动\n============\n" in text  # 6 characters, 12 columns
    assert "会议日程\n--------\n" in text  # a Markdown sub-heading
    lines = build("ja", long_title, ZH).splitlines()
    start = len(lines) - 1 - lines[::-1].index(long_title[:39])  # the article's (the masthead's comes first)
    assert lines[start + 1] == long_title[39:] and lines[start + 2] == "=" * 78
    korean = build("ko", "행사 안내", KO)
    assert "행사 안내\n=========\n" in korean  # 4 syllables and a space: 9 columns


@pytest.mark.parametrize(("language", "body"), [("zh-Hans", ZH), ("ja", JA), ("ko", KO), ("zh-Hans", MIXED)],
                         ids=["zh-Hans", "ja", "ko", "mixed"])
def test_every_line_of_a_built_issue_fits(build, language, body):
    text = build(language, "研讨会与活动", f"{body}\n\n{body}")
    lines = text.splitlines()
    assert_fits(lines)
    assert_kinsoku(lines)
    assert "https://www.ai4media.eu/events/?utm_source=newsletter" in text  # the link line's URL, whole


def test_right_to_left_issue_keeps_its_marks_on_wrapped_cjk_lines(build):
    lines = build("ar", "ورشة عمل", f"ورشة عمل حول الذكاء الاصطناعي.\n\n{ZH}").splitlines()
    body = [line for line in lines if line.strip() and line != RULE]
    assert all(line.startswith(RLM) for line in body), [line for line in body if not line.startswith(RLM)]
    zh_lines = [line.removeprefix(RLM) for line in body if has_wide(line)]
    assert len(zh_lines) >= 3
    assert_fits(zh_lines)


def test_the_cli_writes_email_txt_within_78_columns(make_project, run_cli):
    root = make_project({ISSUE: cjk_issue("ja", "ワークショップとイベントのお知らせ", JA)})
    result = run_cli("build", ISSUE, "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = (root / "out" / "2024-05-cjk" / "email.txt").read_text(encoding="utf-8").splitlines()
    assert "ワークショップとイベントのお知らせ" in lines and "=" * 34 in lines
    assert len([line for line in lines if has_wide(line)]) >= 5
    assert_fits(lines)
    assert_kinsoku(lines)


def test_every_wide_character_is_found_by_the_quick_test():
    """``has_wide`` looks only at code points in a few ranges; every Wide or Fullwidth one must be in them."""
    missed = [hex(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) != "Cn"
              and unicodedata.east_asian_width(chr(cp)) in ("W", "F") and not has_wide(chr(cp))]
    assert missed == []
    assert not has_wide("Ελληνικά, français — “quoted” … €5 → ✓") and has_wide("a中") and has_wide("🎉")


# --- emoji and combining marks: columns by grapheme cluster --------------------------------------

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points, one emoji
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"  # flag + VS16 + ZWJ + rainbow
ZALGO = "Zalgo Z\u0336\u0322a\u0334l\u0338g\u0337o\u0335 e\u0301te\u0301"  # 15 letters and spaces, 9 marks


@pytest.mark.parametrize(("text", "width"), [
    (FAMILY, 2), (RAINBOW, 2), ("\U0001f1f5\U0001f1f1", 2), ("\U0001f44d\U0001f3fd", 2), ("1\ufe0f\u20e3", 2),
    (f"Rodzina {FAMILY} i flaga {RAINBOW}", 21), (ZALGO, 15), ("a\u200bb\u2060c", 3), ("研究", 4),
    ("Ελληνικά, français — “quoted” … €5 → ✓", 38),
])
def test_display_width_counts_grapheme_clusters(text, width):
    """ZWJ, variation selectors and combining marks each counted one column: the family emoji was 11."""
    assert eastasian.display_width(text) == width


def test_one_column_characters_are_one_column_each_for_wcwidth():
    """What ``one_column_each`` answers with ``len()`` must be what wcwidth counts, character by character."""
    import wcwidth

    wrong = [hex(cp) for cp in range(0x20, 0x110000) if eastasian.one_column_each(chr(cp))
             and not 0x7f <= cp <= 0x9f and wcwidth.wcwidth(chr(cp)) != 1]
    assert wrong == []
    assert not any(map(eastasian.one_column_each, ("研", "\u0301", "\u200d", "\ufe0f", "\U0001f1f5", "✓")))


@pytest.mark.parametrize("title", [f"Rodzina {FAMILY} i flaga {RAINBOW}", ZALGO], ids=["emoji", "marks"])
def test_headings_with_emoji_and_marks_are_underlined_as_wide_as_they_show(build, title):
    text = build("pl", title, f"Tekst.\n\n### {title}\n\nTekst.")
    width = 21 if FAMILY in title else 15
    assert f"\n{title.upper()}\n{'=' * width}\n" in text  # the article's title
    assert f"\n{title}\n{'-' * width}\n" in text  # a Markdown sub-heading


@pytest.mark.parametrize("word", [ZALGO, f"{FAMILY}{RAINBOW} rodzina", "研究 e\u0301te\u0301"],
                         ids=["marks", "emoji", "cjk-and-marks"])
def test_lines_with_emoji_and_marks_are_filled_to_78_columns(word):
    """Counted by code point, a line of Zalgo text broke at ~50 columns (measured here by wcwidth itself)."""
    from wcwidth import wcswidth

    lines = wrap_lines(" ".join([word] * 30))
    widths = [wcswidth(line) for line in lines]
    longest = max(map(wcswidth, word.split()))
    assert all(WIDTH - longest - 1 <= w <= WIDTH for w in widths[:-1]), list(zip(widths, lines))
