"""The README's two set-up commands are the ones CI and users run, and they name real files."""

import re

from tests.conftest import REPO
from training.config import load_config


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = next(block.strip() for block in bash_blocks() if "pytest" in block)
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "torch==2.13.0" in test_command


def test_main_job_trains_the_default_config_and_scores_an_example(monkeypatch) -> None:
    main_job = next(block.strip() for block in bash_blocks() if "newsstance train" in block)
    assert main_job.startswith("pip install torch==2.13.0 && pip install -e .")
    config = re.search(r"--config (\S+)", main_job).group(1)
    example = re.search(r"newsstance score (\S+)", main_job).group(1)
    monkeypatch.chdir(REPO)
    assert load_config(REPO / config).training.output_dir in main_job
    assert (REPO / example).is_file()


def test_python_examples_run_against_a_trained_model(tiny_model_dir, monkeypatch, capsys) -> None:
    """Every ```python block of the README, with the tiny test model standing in for runs/default."""
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(REPO)
    for block in blocks:
        exec(compile(block.replace('"runs/default"', repr(str(tiny_model_dir))), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    headline = "Ceasefire Largely Holds Along Southern Front as Talks Resume in Geneva"
    assert any(line.startswith(f"0 {len(headline)} ") and line.endswith(headline) for line in printed)
