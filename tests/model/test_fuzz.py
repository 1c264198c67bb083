"""Bounded fuzzing of everything that parses user files: only the project's own error may escape."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eval.labelled import read_labelled
from model.articles.inputs import Article, InputProblem, read_inputs
from model.errors import NewsStanceError
from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS
from training.config import TrainConfig, load_config

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
    st.lists(st.text(max_size=10), max_size=3),
)
section_names = st.sampled_from(["model", "labels", "data", "training", "optimizer", "trainng"])
key_names = st.sampled_from([
    "base_model", "max_length", "dropout", "stance", "sentiment", "train", "dev", "max_train_samples",
    "output_dir", "epochs", "batch_size", "learning_rate", "device", "bf16", "seed", "lr", "epoch",
])
config_documents = st.dictionaries(
    section_names, st.one_of(yaml_scalars, st.dictionaries(key_names, yaml_scalars, max_size=5)), max_size=4
)


def dump_yaml(document: dict) -> str:
    import yaml

    return yaml.safe_dump(document, allow_unicode=True)


@FUZZ
@given(document=config_documents)
def test_config_loader_accepts_or_names_the_problem(tmp_path: Path, document: dict) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(dump_yaml(document), encoding="utf-8")
    try:
        config = load_config(path)
    except NewsStanceError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)
    else:
        assert isinstance(config, TrainConfig)


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_config_loader_survives_arbitrary_bytes(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    try:
        load_config(path)
    except NewsStanceError as error:
        assert "\n" not in str(error)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=15)
    | st.sampled_from([*DEFAULT_STANCE_LABELS, *DEFAULT_SENTIMENT_LABELS]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["text", "stance", "sentiment", "id", "other"]), children, max_size=4
    ),
    max_leaves=8,
)
jsonl_lines = st.lists(
    st.one_of(json_values.map(lambda v: __import__("json").dumps(v)), st.text(max_size=40)), max_size=8
)


@FUZZ
@given(lines=jsonl_lines)
def test_labelled_reader_returns_valid_rows_or_names_lines(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        rows = read_labelled(path, DEFAULT_STANCE_LABELS, DEFAULT_SENTIMENT_LABELS)
    except NewsStanceError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)
    else:
        assert rows and all(row["stance"] in DEFAULT_STANCE_LABELS and row["text"].strip() for row in rows)


@FUZZ
@given(raw=st.binary(max_size=400))
def test_labelled_reader_survives_arbitrary_bytes(tmp_path: Path, raw: bytes) -> None:
    for name in ("fuzz.jsonl", "fuzz.csv"):
        path = tmp_path / name
        path.write_bytes(raw)
        try:
            read_labelled(path, DEFAULT_STANCE_LABELS, DEFAULT_SENTIMENT_LABELS)
        except NewsStanceError as error:
            assert "\n" not in str(error)


@FUZZ
@given(lines=jsonl_lines, raw=st.binary(max_size=200))
def test_article_reader_never_raises_and_keeps_good_articles(tmp_path: Path, lines: list[str], raw: bytes) -> None:
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    blob = tmp_path / "blob.txt"
    blob.write_bytes(raw)
    good = tmp_path / "good.txt"
    good.write_text("Troops withdrew from the town on Monday.", encoding="utf-8")
    items = list(read_inputs([str(jsonl), str(blob), str(good), str(tmp_path / "missing.txt")]))
    assert all(isinstance(item, (Article, InputProblem)) for item in items)
    assert Article(str(good), "Troops withdrew from the town on Monday.") in items
    assert isinstance(items[-1], InputProblem) and "missing.txt" in items[-1].message
    for item in items:
        if isinstance(item, InputProblem):
            assert "\n" not in item.message
