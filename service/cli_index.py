"""``miasto index build``: bring your own index from the command line (same engine as POST /v1/indices)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from service.cli import JsonOpt, _emit, _fail, app

index_app = typer.Typer(help="Bring your own composite index (COINr iData/iMeta + pipeline YAML/JSON).",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(index_app, name="index")

FileOpt = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]


@index_app.command("build")
def build(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="iData CSV (uCode, indicators)")
    ],
    meta: Annotated[Path, typer.Option("--meta", exists=True, dir_okay=False, help="iMeta CSV (the tree)")],
    config: Annotated[
        Path, typer.Option("--config", exists=True, dir_okay=False, help="pipeline YAML or JSON")
    ],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="folder for the CSV outputs")],
    as_json: JsonOpt = False,
) -> None:
    """Build the index and write scores, ranks and every intermediate table as CSV into OUT."""
    from integration.byoi import build_index, read_table, write_outputs
    from integration.composite.config import load_config
    from integration.composite.errors import CompositeInputError

    steps = ["reading tables", "reading configuration", "running the pipeline", "writing CSV outputs"]
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      transient=True, disable=as_json) as bar:  # fmt: skip
            task = bar.add_task(steps[0], total=len(steps))
            tables = read_table(data, "data"), read_table(meta, "metadata")
            bar.update(task, advance=1, description=steps[1])
            cfg = load_config(str(config))
            bar.update(task, advance=1, description=steps[2])
            result = build_index(*tables, cfg)
            bar.update(task, advance=1, description=steps[3])
            written = write_outputs(result, out)
            bar.update(task, advance=1)
    except CompositeInputError as exc:
        _fail(exc, as_json)
        return
    root = result.tree.nodes.index[result.tree.nodes["Level"] == result.tree.nodes["Level"].max()][0]
    top = result.scores[root].sort_values(ascending=False).head(3)
    payload = {"units": len(result.scores), "index": root, "out": str(out),
               "files": {k: str(v) for k, v in written.items()},
               "top": [{"uCode": u, "score": round(float(s), 4)} for u, s in top.items()]}  # fmt: skip
    best = ", ".join(f"{u} {s:.2f}" for u, s in top.items())
    _emit(as_json, payload, f"{len(result.scores)} units, {len(written)} tables in {out}; top {root}: {best}")
