"""deploy/local/helm.py: where helm cannot be built, it says so (None) and leaves no half-built cache behind."""

from deploy.local import helm


def test_without_a_go_toolchain_there_is_no_helm_and_nothing_is_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(helm, "GO_FALLBACK", str(tmp_path / "no-go"))
    assert helm.go_tool() is None
    assert helm.install_helm() is None
    assert not (tmp_path / "cache").exists()

