"""The summary's formatting rules, in process: sizes, escaping, the terminal table, where it is written."""

from __future__ import annotations

from pathlib import Path

from newsletter_pipeline.models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES
from newsletter_pipeline.summary import IssueSummary, Summary, markdown, publish, size_text, text_table


def send_summary() -> Summary:
    return Summary("send", [
        IssueSummary("issues/2021-10-a.yaml", "2021-10-a", "Pipes | and <b>tags</b>", 1234,
                     provider="smtp", ids=["<1.2@ai4media.eu>", "<3.4@ai4media.eu>"], result="test sent to a@x.org"),
        IssueSummary("issues/2021-11-b.yaml", "2021-11-b", "Big", GMAIL_CLIP_BYTES + 1,
                     errors=["issues/2021-11-b.yaml:1:1: error: gmail-clipping: ```too big```"],
                     result="not sent: fix the check errors"),
        IssueSummary("issues/2021-12-c.yaml", "2021-12-c", "Near", SIZE_WARNING_BYTES + 1, provider="brevo",
                     failure="brevo: create campaign failed\nHTTP 401\n{...}", result="not sent"),
    ], "added or changed since `abc`")


def test_markdown_cells_are_escaped_and_sizes_marked() -> None:
    text = markdown(send_summary())
    assert "3 issues added or changed since `abc`; 2 failed." in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "issues/" in line]
    assert len(rows) == 3
    assert "Pipes \\| and &lt;b&gt;tags&lt;/b&gt;" in rows[0]
    assert "`<1.2@ai4media.eu>`<br>`<3.4@ai4media.eu>`" in rows[0]
    assert rows[1].startswith("| ❌ |") and "❌ clipped by Gmail: 102,401 B (100% of Gmail's 102,400)" in rows[1]
    assert "⚠️ close to Gmail's limit: 92,161 B" in rows[2]
    # the findings and the failure verbatim in fenced blocks that a ``` in them cannot close
    assert "```text\nissues/2021-11-b.yaml:1:1: error: gmail-clipping: '''too big'''\n```" in text
    assert "```text\nbrevo: create campaign failed\nHTTP 401\n{...}\n```" in text


def test_size_text() -> None:
    assert size_text(None) == "not rendered"
    assert size_text(51_200) == "51,200 B (50% of Gmail's 102,400)"


def test_text_table_columns_line_up() -> None:
    lines = text_table(send_summary()).splitlines()
    assert lines[0].split() == ["issue", "subject", "size", "provider", "message", "or", "campaign", "ids", "result"]
    starts = [line.index("issues/") for line in lines[2:]]
    assert starts == [0, 0, 0]
    provider_column = lines[0].index("provider")
    assert [line[provider_column:].split()[0] for line in lines[2:]] == ["smtp", "-", "brevo"]
    assert "<1.2@ai4media.eu> <3.4@ai4media.eu>" in lines[2]
    assert lines[3].rstrip().endswith("1 error: not sent: fix the check errors")


def test_no_issue() -> None:
    text = markdown(Summary("send", [], "added or changed since `abc`"))
    assert text == "## Newsletter test send\n\nNo issue added or changed since `abc`: nothing sent.\n"


def test_publish_writes_the_file_and_appends_to_the_step_summary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "summary.md"
    step = tmp_path / "step.md"
    step.write_text("earlier\n", encoding="utf-8")
    written = publish(send_summary(), target, {"GITHUB_STEP_SUMMARY": str(step)})
    assert written == [str(target), "$GITHUB_STEP_SUMMARY"]
    assert target.read_text(encoding="utf-8") == markdown(send_summary(), base=target.parent)
    publish(send_summary(), None, {"GITHUB_STEP_SUMMARY": str(step)})
    assert step.read_text(encoding="utf-8").count("## Newsletter test send") == 2
    assert step.read_text(encoding="utf-8").startswith("earlier\n## Newsletter")
    assert publish(send_summary(), None, {}) == []


def test_a_subject_is_no_markdown_in_the_summary() -> None:
    """A subject ``[win](https://evil.example)`` was a live link in the pull request's comment."""
    text = markdown(Summary("check", [IssueSummary("issues/2021-10-a.yaml", "2021-10-a",
                                                    "[win](https://evil.example) *now* ![x](y)", 10)], ""))
    (row,) = [line for line in text.splitlines() if line.startswith("| ") and "issues/" in line]
    assert "\\[win\\]\\(https://evil.example\\) \\*now\\* \\!\\[x\\]\\(y\\)" in row
    assert "](" not in row.replace("\\](", "")
