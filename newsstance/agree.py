"""`newsstance agree`: agreement between annotation files of the same sentences."""

import argparse
from pathlib import Path

from model.labels import DEFAULT_SENTIMENT_LABELS, DEFAULT_STANCE_LABELS

AGREEMENT_FILE = "agreement.json"
DISAGREEMENTS_FILE = "disagreements.jsonl"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "agree",
        help="agreement between annotation files of the same sentences (kappa, per label, confusions)",
        description=(
            "Compare two or more JSONL annotation files of the same sentences, matched by 'id' (or by "
            "text when rows have no id): percent agreement, Cohen's kappa (two files), Fleiss' kappa "
            "(three or more), each label's specific agreement and a confusion table, per head. Rows "
            f"without a label on a head are left out of it. --output DIR writes {AGREEMENT_FILE} and "
            f"{DISAGREEMENTS_FILE} (every sentence where the files differ, with each file's labels)."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--output", type=Path, metavar="DIR", help="write agreement.json and disagreements.jsonl here")
    parser.add_argument(
        "--model", metavar="DIR", help="take the label sets from this model directory (default: the guide's labels)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from eval.agreement import agreement
    from model.storage import check_outputs, output_file

    inputs = [("FILE", path) for path in args.files]
    outputs = [("--output", args.output / name) for name in (AGREEMENT_FILE, DISAGREEMENTS_FILE)] if args.output else []
    check_outputs(inputs, outputs)
    report = agreement(args.files, _label_sets(args.model))
    for head, scores in report.heads.items():
        if scores is None:
            print(f"{head}: no sentence is labelled in every file")
            continue
        if scores.cohen_kappa is not None:
            kappa = f"Cohen's kappa {scores.cohen_kappa:.3f}"
        else:
            kappa = f"Fleiss' kappa {scores.fleiss_kappa:.3f}"
        print(f"{head}: {scores.n} sentences, agreement {scores.agreement:.1%}, {kappa}")
        for label, value in scores.per_label.items():
            print(f"  {label:<20} {'-' if value is None else f'{value:.3f}'}")
        width = max(len(label) for label in scores.labels)
        print("  confusion (rows: earlier file of each pair, columns: later):")
        print("  " + " " * width + " " + " ".join(f"{label[:6]:>6}" for label in scores.labels))
        for label, row in zip(scores.labels, scores.confusion):
            print(f"  {label:<{width}} " + " ".join(f"{count:>6}" for count in row))
    print(f"{len(report.disagreements)} of {report.n} sentences differ on at least one head (matched by {report.matched_by})")
    if args.output:
        args.output.mkdir(parents=True, exist_ok=True)
        with output_file(args.output / AGREEMENT_FILE, "--output") as stream:
            stream.write(json.dumps(report.to_json(), indent=2) + "\n")
        with output_file(args.output / DISAGREEMENTS_FILE, "--output") as stream:
            stream.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in report.disagreements)
        print(f"wrote {args.output / AGREEMENT_FILE} and {args.output / DISAGREEMENTS_FILE}")
    return 0


def _label_sets(model_dir: str | None) -> dict[str, list[str]]:
    if model_dir is None:
        return {"stance": list(DEFAULT_STANCE_LABELS), "sentiment": list(DEFAULT_SENTIMENT_LABELS)}
    from eval.labelled import model_label_sets

    return model_label_sets(Path(model_dir))
