"""deploy/local/install.py: a cached tool's folder appears only when whole, once, whoever builds it first."""

from pathlib import Path

from deploy.local.install import complete


def test_the_folder_appears_whole_from_the_staging_build(tmp_path: Path):
    def build(staging: Path, _scratch: Path) -> None:
        (staging / "bin").mkdir()
        (staging / "bin" / "tool").write_text("built")

    folder = complete(tmp_path / "tool-1.0", build)
    assert (folder / "bin" / "tool").read_text() == "built"
    assert [path.name for path in tmp_path.iterdir()] == ["tool-1.0"]  # no staging left behind


def test_a_build_finished_first_by_another_process_is_kept_and_ours_dropped(tmp_path: Path):
    folder = tmp_path / "tool-1.0"

    def build(staging: Path, _scratch: Path) -> None:
        (folder / "bin").mkdir(parents=True)  # the other process renames its build into place meanwhile
        (folder / "bin" / "tool").write_text("theirs")
        (staging / "bin").mkdir()
        (staging / "bin" / "tool").write_text("ours")

    assert complete(folder, build) == folder
    assert (folder / "bin" / "tool").read_text() == "theirs"
    assert [path.name for path in tmp_path.iterdir()] == ["tool-1.0"]


def test_an_existing_folder_is_not_built_again(tmp_path: Path):
    (tmp_path / "tool-1.0").mkdir()

    def build(_staging: Path, _scratch: Path) -> None:
        raise AssertionError("built again")

    assert complete(tmp_path / "tool-1.0", build) == tmp_path / "tool-1.0"
