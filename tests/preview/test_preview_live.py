"""Live reload without a browser: what a save rebuilds, and that a burst of saves rebuilds once."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from pathlib import Path

from shared import SEED_NAME, SEED_SLUG


def quiet_for(running, seconds: float) -> int:
    """The epoch after ``seconds`` without checking it in between (no rebuild expected)."""
    time.sleep(seconds)
    return running.site.epoch


def test_a_burst_of_saves_rebuilds_once(serve, seed_project: Path) -> None:
    issue = seed_project / "issues" / SEED_NAME
    # a wider quiet window than the 40 ms default: on a loaded machine the test process itself can be
    # descheduled between two writes for longer than that, which would make two bursts of one
    running = serve(issue, settle=0.3)
    before = running.site.epoch
    text = issue.read_text()
    for i in range(5):  # an editor's save plus a formatter's, in quick succession
        issue.write_text(text.replace("Detecting deepfakes", f"Save {i}"))
    running.wait_epoch(before)
    assert quiet_for(running, 0.5) == before + 1
    assert "Save 4" in running.site.builds[SEED_SLUG].html


def test_saving_an_unrelated_file_rebuilds_nothing(serve, seed_project: Path) -> None:
    running = serve(seed_project / "issues" / SEED_NAME)
    before = running.site.epoch
    (seed_project / "notes.txt").write_text("not part of the newsletter")
    (seed_project / "issues" / "draft.md").write_text("nor is this")
    (seed_project / "issues" / "2022-05-other.yaml").write_text("subject: not the issue being previewed\n")
    assert quiet_for(running, 0.4) == before


def test_the_project_config_and_templates_are_watched(serve, seed_project: Path) -> None:
    running = serve(seed_project / "issues" / SEED_NAME)
    config = seed_project / "newsletter.yaml"
    epoch = running.site.epoch
    config.write_text(config.read_text().replace('primary: "#0b3b60"', 'primary: "#5b2a86"'))
    epoch = running.wait_epoch(epoch)
    assert "#5b2a86" in running.site.builds[SEED_SLUG].html

    # a templates/ folder created after the start overrides a built-in partial, and is then watched
    partial = seed_project / "templates" / "blocks" / "cta.mjml.j2"
    partial.parent.mkdir(parents=True)
    partial.write_text("<mj-section><mj-column><mj-text>Override one</mj-text></mj-column></mj-section>\n")
    deadline = time.monotonic() + 10
    while "Override one" not in running.site.builds[SEED_SLUG].html:
        assert time.monotonic() < deadline, running.log
        time.sleep(0.02)
    epoch = running.site.epoch
    partial.write_text(partial.read_text().replace("Override one", "Override two"))
    running.wait_epoch(epoch)
    assert "Override two" in running.site.builds[SEED_SLUG].html


def test_a_templates_override_folder_is_watched(serve, seed_project: Path, tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "blocks"
    overrides.mkdir(parents=True)
    partial = overrides / "cta.mjml.j2"
    partial.write_text("<mj-section><mj-column><mj-text>From --templates</mj-text></mj-column></mj-section>\n")
    running = serve(seed_project / "issues" / SEED_NAME, templates=tmp_path / "overrides")
    assert "From --templates" in running.site.builds[SEED_SLUG].html
    epoch = running.site.epoch
    partial.write_text(partial.read_text().replace("From --templates", "Edited override"))
    running.wait_epoch(epoch)
    assert "Edited override" in running.site.builds[SEED_SLUG].html


def test_a_template_error_is_located_and_the_last_good_email_kept(serve, seed_project: Path) -> None:
    partial = seed_project / "templates" / "blocks" / "cta.mjml.j2"
    partial.parent.mkdir(parents=True)
    partial.write_text("<mj-section><mj-column><mj-text>Fine</mj-text></mj-column></mj-section>\n")
    running = serve(seed_project / "issues" / SEED_NAME)
    good = running.site.builds[SEED_SLUG].html
    epoch = running.site.epoch
    partial.write_text("<mj-section>\n{% if %}\n</mj-section>\n")
    running.wait_epoch(epoch)
    build = running.site.builds[SEED_SLUG]
    assert not build.ok and build.html == good
    assert "templates/blocks/cta.mjml.j2:2" in build.errors[0] and "syntax error" in build.errors[0]


def test_in_a_folder_only_the_saved_issue_is_rebuilt(serve, seed_project: Path) -> None:
    other = seed_project / "issues" / "2022-02-other.yaml"
    other.write_text("subject: Other\ndate: 2022-02-01\nblocks:\n  - type: cta\n    text: Hi\n"
                     "    button: {label: Go, url: 'https://example.org/'}\n")
    running = serve(seed_project / "issues")
    first = dict(running.site.builds)
    epoch = running.site.epoch
    other.write_text(other.read_text().replace("text: Hi", "text: Hello again"))
    running.wait_epoch(epoch)
    assert running.site.builds[SEED_SLUG] is first[SEED_SLUG]
    assert "Hello again" in running.site.builds["2022-02-other"].html

    epoch = running.site.epoch
    other.unlink()  # a removed issue leaves the index
    running.wait_epoch(epoch)
    assert list(running.site.builds) == [SEED_SLUG]


def test_a_save_by_rename_and_a_deleted_file_are_followed(serve, seed_project: Path) -> None:
    issue = seed_project / "issues" / SEED_NAME
    text = issue.read_text()
    running = serve(issue)
    epoch = running.site.epoch
    temporary = issue.with_name(f".{SEED_NAME}.tmp")  # how many editors save: write aside, rename over
    temporary.write_text(text.replace("Detecting deepfakes", "Renamed into place"))
    temporary.replace(issue)
    epoch = running.wait_epoch(epoch)
    assert "Renamed into place" in running.site.builds[SEED_SLUG].html

    issue.unlink()
    epoch = running.wait_epoch(epoch)
    build = running.site.builds[SEED_SLUG]
    assert not build.ok and "issue file not found" in build.errors[0]
    issue.write_text(text)
    running.wait_epoch(epoch)
    assert running.site.builds[SEED_SLUG].ok and "Detecting deepfakes" in running.site.builds[SEED_SLUG].html


def test_findings_from_a_templates_override_point_into_it(serve, seed_project: Path, tmp_path: Path) -> None:
    """The check report names the --templates file that caused a finding, not the built-in one."""
    overrides = tmp_path / "overrides" / "blocks"
    overrides.mkdir(parents=True)
    partial = overrides / "cta.mjml.j2"
    partial.write_text('<mj-section>\n  <mj-column>\n    <mj-text font-size="10px">Tiny print</mj-text>\n'
                       "  </mj-column>\n</mj-section>\n")
    running = serve(seed_project / "issues" / SEED_NAME, templates=tmp_path / "overrides")
    tiny = [f for f in running.site.builds[SEED_SLUG].findings if f["rule"] == "font-size" and f["level"] == "error"]
    assert [(Path(f["file"]).resolve(), f["line"]) for f in tiny] == [(partial.resolve(), 3)]


def test_a_link_loop_that_came_and_went_stops_no_reloading(serve, seed_project: Path) -> None:
    """``ln -s loop.yaml issues/loop.yaml`` made Python's resolve() raise in the watcher, which stopped for good."""
    folder = seed_project / "issues"
    issue, loop = folder / SEED_NAME, folder / "loop.yaml"
    text = issue.read_text()
    running = serve(folder)
    epoch = running.site.epoch
    loop.symlink_to("loop.yaml")  # a link to itself
    issue.write_text(text.replace("Detecting deepfakes", "While the loop was there"))
    epoch = running.wait_epoch(epoch)  # the watcher has seen the link by now: its event came first
    loop.unlink()
    for save in ("First save after it", "Second save after it"):
        issue.write_text(text.replace("Detecting deepfakes", save))
        epoch = running.wait_epoch(epoch)
        assert save in running.site.builds[SEED_SLUG].html
    assert not [line for line in running.log if "watching" in line], running.log


@contextlib.contextmanager
def running_watcher(watcher, flag):
    """``watcher`` started, and stopped at the end; ``flag`` gives up after 10 s rather than wait for ever."""
    watcher.start()
    timer = threading.Timer(10.0, flag.stop)  # take_settled returns None then
    timer.start()
    try:
        yield watcher
    finally:
        timer.cancel()
        watcher.stop_event.set()
        watcher.join(5.0)


def save_until_seen(flag, target: Path, log: list[str], also: tuple[Path, ...] = ()) -> None:
    """Save ``target`` (and ``also`` before it) until the watcher reports ``target``: its OS watch may be new."""
    seen: set[Path] = set()
    for i in itertools.count():
        for path in (*also, target):
            path.write_text(str(i))
        taken = flag.take_settled(0.01)
        assert taken is not None, f"no change seen; log: {log}"
        if target in (seen := seen | taken):
            return


def test_a_watcher_keeps_watching_after_an_error_and_says_it_once(tmp_path: Path) -> None:
    """An error while watching (here the filter's, as a link loop made it) ended the watcher thread for good."""
    from newsletter_pipeline.preview.watcher import ChangeFlag, _Watcher

    def relevant(path: Path) -> bool:
        if path.name == "bad.yaml":
            raise PermissionError(13, "Permission denied", str(path))
        return True

    log: list[str] = []
    flag = ChangeFlag()
    with running_watcher(_Watcher([tmp_path], False, flag, relevant, log.append), flag) as watcher:
        assert watcher.ready.wait(5.0)
        save_until_seen(flag, tmp_path / "good.yaml", log, also=(tmp_path / "bad.yaml",))  # bad fails each time
    assert len([line for line in log if "Permission denied" in line]) == 1, log


def test_a_watcher_whose_folder_was_missing_watches_it_once_it_is_back(tmp_path: Path) -> None:
    """A folder gone between planning the watches and starting them ended the watcher for good."""
    from newsletter_pipeline.preview.watcher import ChangeFlag, _Watcher

    folder = tmp_path / "templates"
    log: list[str] = []
    flag = ChangeFlag()
    with running_watcher(_Watcher([folder], True, flag, lambda path: True, log.append), flag):
        assert flag.take_settled(0.01) == {folder}  # the loop is told, to rebuild and re-plan
        folder.mkdir()
        save_until_seen(flag, folder / "base.mjml.j2", log)
    assert len(log) == 1 and "FileNotFoundError" in log[0], log
