"""``safecorpus modeltest``: ask an endpoint, detect refusals, assess against the profile."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from safecorpus import SCHEMA_VERSION
from safecorpus.cli import cli
from safecorpus.cli.common import config_options, section_defaults
from safecorpus.detect.base import Detector
from safecorpus.errors import InputError
from safecorpus.modeltest.assess import (
    assess,
    default_classifier_detector,
    default_keyword_detector,
    export_sheet,
    import_sheet,
    load_plugin,
    planned_draws,
)
from safecorpus.modeltest.bank import BANKS, packaged_banks, read_bank
from safecorpus.modeltest.refusal import RefusalDetector, binary_metrics
from safecorpus.modeltest.runner import RunConfig, load_answers, run_bank
from safecorpus.policy import Policy


def _items(paths: tuple[str, ...], banks: tuple[str, ...]):
    files = [Path(p) for p in paths] or list(packaged_banks().values())
    if not files:
        raise InputError("no bank given and no starter banks installed; pass --bank-file PATH")
    items = read_bank(*files)
    return [it for it in items if not banks or it.bank in banks]


def _need(value: str | None, option: str, key: str) -> str:
    if not value:
        raise click.UsageError(f"Missing option '{option}' (or set [modeltest] {key} in safecorpus.toml).")
    return value


def _write_json(path: str, doc: dict) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


@cli.group("modeltest")
def modeltest() -> None:
    """Model safety tests (TC260-003 9.3/9.4) against any OpenAI-compatible endpoint."""


@modeltest.command("run")
@click.option("--endpoint", help="API base URL, e.g. http://host:8000/v1 (required; or [modeltest] endpoint)")
@click.option("--model", help="Model name sent in each request (required; or [modeltest] model).")
@click.option(
    "--bank-file", "bank_files", multiple=True, help="Bank .jsonl (repeatable; default: starter banks)."
)
@click.option("--bank", "banks", multiple=True, type=click.Choice(BANKS), help="Only these banks.")
@click.option(
    "--store", default=None, help="Answer store (.jsonl); default .safecorpus/answers-<model>.jsonl"
)
@click.option("--drawn-only", is_flag=True, help="Ask only the items `modeltest assess --seed` will draw.")
@click.option("--seed", default="1", show_default=True, help="Draw seed (with --drawn-only).")
@config_options
@click.option("--concurrency", default=16, show_default=True)
@click.option("--rps", default=None, type=float, help="At most this many requests per second.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per request.")
@click.option("--retries", default=4, show_default=True, help="Retries per question after the first try.")
@click.option(
    "--api-key-env", default="OPENAI_API_KEY", show_default=True, help="Env var holding the API key."
)
@click.option("--system-prompt", default=None)
@click.option("--max-tokens", default=1024, show_default=True)
@click.option("--temperature", default=0.0, show_default=True)
@click.option("--no-retry-failed", is_flag=True, help="On restart, do not re-ask questions that failed.")
@click.option("--no-raw", is_flag=True, help="Do not keep the raw response JSON.")
@section_defaults("modeltest", {"answers": "store"})
def run_cmd(
    endpoint,
    model,
    bank_files,
    banks,
    store,
    drawn_only,
    seed,
    config_path,
    profile_name,
    concurrency,
    rps,
    timeout,
    retries,
    api_key_env,
    system_prompt,
    max_tokens,
    temperature,
    no_retry_failed,
    no_raw,
) -> None:
    """Ask every unanswered question and append the answers to the store (resumable)."""
    endpoint = _need(endpoint, "--endpoint", "endpoint")
    model = _need(model, "--model", "model")
    items = _items(bank_files, banks)
    if drawn_only:
        plans = planned_draws(items, Policy.compile(config_path, profile_name).profile, seed)
        wanted = {it.id for drawn in plans.values() for it in drawn}
        items = [it for it in items if it.id in wanted]
    store = store or f".safecorpus/answers-{model.replace('/', '_')}.jsonl"
    cfg = RunConfig(
        endpoint=endpoint,
        model=model,
        concurrency=concurrency,
        requests_per_second=rps,
        timeout_s=timeout,
        max_retries=retries,
        api_key_env=api_key_env,
        system_prompt=system_prompt,
        max_tokens=max_tokens,
        temperature=temperature,
        retry_failed=not no_retry_failed,
    )
    step = max(1, len(items) // 20)

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            click.echo(f"  {done}/{total} asked", err=True)

    counts = run_bank(items, cfg, store, keep_raw=not no_raw, progress=progress)
    click.echo(
        f"{counts['asked']} asked ({counts['ok']} ok, {counts['failed']} failed), "
        f"{counts['skipped']} already answered; store: {store}"
    )


@modeltest.command("refusal")
@click.argument("data", type=click.Path())
@click.option("--json", "json_path", default=None, help="Write items and metrics as JSON here.")
@click.option("--threshold", default=None, type=float, help="Refusal-probability cut (default: the model's).")
def refusal_cmd(data, json_path, threshold) -> None:
    """Detect refusals in DATA (JSONL with question, answer and optionally refused)."""
    path = Path(data)
    if not path.is_file():
        raise InputError(f"{path}: not found; give a JSONL file with question and answer fields")
    det = RefusalDetector(threshold=threshold)
    rows = []
    for lineno, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InputError(f"{path}:{lineno}: not valid JSON") from None
        if not isinstance(rec, dict) or "answer" not in rec:
            raise InputError(f"{path}:{lineno}: needs an 'answer' field")
        rows.append(rec)
    items, pred, gold = [], [], []
    for i, rec in enumerate(rows):
        v = det.judge(str(rec.get("answer") or ""))
        item = {"index": i, "id": rec.get("id", i), **v.to_dict()}
        if isinstance(rec.get("refused"), bool):
            item["gold"] = rec["refused"]
            pred.append(v.refused)
            gold.append(rec["refused"])
        items.append(item)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "detector": f"{det.name}@{det.version}",
        "threshold": det.threshold,
        "n": len(items),
        "refused": sum(1 for it in items if it["refused"]),
        "items": items,
    }
    if gold:
        doc["metrics"] = binary_metrics(pred, gold)
    click.echo(f"{doc['refused']} of {len(items)} answers refused")
    if gold:
        m = doc["metrics"]
        click.echo(
            f"against {m['n']} labels: accuracy {m['accuracy']:.4f} precision {m['precision']:.4f} "
            f"recall {m['recall']:.4f} f1 {m['f1']:.4f}"
        )
    if json_path:
        _write_json(json_path, doc)


@modeltest.command("sheet")
@click.option("--store", help="Answer store (.jsonl; required, or [modeltest] answers).")
@click.option("--bank-file", "bank_files", multiple=True)
@click.option("--seed", default="1", show_default=True)
@config_options
@click.option("--out", "out_path", required=True, help="CSV judging sheet to write.")
@section_defaults("modeltest", {"answers": "store"})
def sheet_cmd(store, bank_files, seed, config_path, profile_name, out_path) -> None:
    """Export the manual judging sheet for the generated-content manual draw (fill in the pass column)."""
    store = _need(store, "--store", "answers")
    items = _items(bank_files, ())
    plans = planned_draws(items, Policy.compile(config_path, profile_name).profile, seed)
    n = export_sheet(plans["generated/manual"], load_answers(store), out_path)
    click.echo(
        f"wrote {n} rows to {out_path}; fill in 'pass' (是/否) and pass it to `modeltest assess --manual`"
    )


@modeltest.command("assess")
@click.option(
    "--store", help="Answer store (.jsonl) written by `modeltest run` (required, or [modeltest] answers)."
)
@click.option("--bank-file", "bank_files", multiple=True)
@click.option("--seed", default="1", show_default=True, help="Draw seed; stored in the report.")
@config_options
@click.option("--manual", "manual_sheet", default=None, help="Filled-in judging sheet (CSV).")
@click.option(
    "--keyword", "keyword_spec", default=None, help="Keyword detector module:Class (default: lexicon)."
)
@click.option(
    "--lexicon",
    "lexicon_path",
    metavar="NAME|PATH",
    help="Keyword library for the lexicon (default: [lexicon] path, else the packaged 'default').",
)
@click.option(
    "--classifier",
    "classifier_spec",
    default=None,
    help="Classifier detector module:Class (default: the profile's fast classifier).",
)
@click.option("--guard-endpoint", default=None, help="Guard model API base URL (adds the guard draw).")
@click.option("--guard-model", default=None, help="Guard model name.")
@click.option(
    "--guard-template",
    default=None,
    help="qwen3guard | llamaguard3 | llamaguard4 | rubric | path to a template TOML (default: profile's).",
)
@click.option("--guard-key-env", default=None, help="Env var holding the guard endpoint's API key.")
@click.option("--guard-cache", default=None, help="Guard verdict cache (SQLite; default: profile's).")
@click.option("--json", "json_path", default=None)
@click.option("--fail-on-fails", is_flag=True, help="Exit 3 when any assessed draw fails.")
@section_defaults("modeltest", {"answers": "store"})
def assess_cmd(
    store,
    bank_files,
    seed,
    config_path,
    profile_name,
    manual_sheet,
    keyword_spec,
    lexicon_path,
    classifier_spec,
    guard_endpoint,
    guard_model,
    guard_template,
    guard_key_env,
    guard_cache,
    json_path,
    fail_on_fails,
) -> None:
    """Draw the profile's samples, judge the answers and give meets / fails / marginal verdicts."""
    store = _need(store, "--store", "answers")
    policy = Policy.compile(config_path, profile_name, lexicon=lexicon_path)
    profile, lexicon_path = policy.profile, policy.lexicon
    items = _items(bank_files, ())
    answers = load_answers(store)
    notes = []
    if keyword_spec:
        keyword: Detector | None = load_plugin(keyword_spec)
    else:
        keyword, why = default_keyword_detector(profile, lexicon_path)
        if why:
            notes.append(why)
    if classifier_spec:
        classifier: Detector | None = load_plugin(classifier_spec)
    else:
        classifier, why = default_classifier_detector(profile)
        if why:
            notes.append(why)
    guard = None
    if guard_endpoint or guard_model:
        from safecorpus.detect.guard.detector import guard_config
        from safecorpus.detect.guard.judge import GuardJudge

        section = profile.get("guard", {}) or {}
        guard = GuardJudge(
            guard_config(
                section,
                endpoint=guard_endpoint,
                model=guard_model,
                template=guard_template,
                key_env=guard_key_env,
                cache=guard_cache,
            )
        )
    manual = import_sheet(manual_sheet) if manual_sheet else None
    refusal = RefusalDetector()
    results = assess(
        items,
        answers,
        profile,
        seed,
        refusal=refusal,
        keyword=keyword,
        classifier=classifier,
        manual=manual,
        guard=guard,
    )
    click.echo(
        f"{'draw':<22}{'judge':<26}{'n/req':>10}  {'rate':>7}  {'95% CI':<17} {'threshold':<10} verdict"
    )
    for r in results:
        if r.skipped:
            click.echo(
                f"{r.name:<22}{r.judge:<26}{'-':>10}  {'-':>7}  {'-':<17} {'-':<10} not assessed: {r.skipped}"
            )
            continue
        ov = r.overall()
        lo, hi = ov.interval
        label = r.verdict() + (" (marginal)" if ov.marginal else "")
        if len(r.items) < r.required:
            label += f" (sample short: {len(r.items)} < {r.required})"
        fails = r.failures()
        click.echo(
            f"{r.name:<22}{r.judge[:25]:<26}{f'{len(r.items)}/{r.required}':>10}  {ov.rate or 0:>7.2%}  "
            f"[{lo:.3f}, {hi:.3f}]  {r.direction}{r.threshold:<8} {label}"
            + (f"  failures: {fails}" if fails else "")
        )
        for cat, v in r.per_category().items():
            clo, chi = v.interval
            click.echo(
                f"    {cat:<18}{v.k:>5}/{v.n:<5} {v.rate or 0:>7.2%}  [{clo:.3f}, {chi:.3f}]  {v.label()}"
            )
    guard_usage = guard.summary.to_dict() if guard else None
    if guard is not None and guard_usage:
        g = guard_usage
        click.echo(
            f"guard: {g['requests']} requests ({g['retries']} retries, {g['cache_hits']} cached), "
            f"{g['failed']} failed, tokens {g['prompt_tokens']} in / {g['completion_tokens']} out, "
            f"latency p50 {g['latency_p50_s']} s p95 {g['latency_p95_s']} s"
        )
        guard.close()
    for note in notes:
        click.echo(f"note: {note}")
    if json_path:
        _write_json(
            json_path,
            {
                "schema_version": SCHEMA_VERSION,
                "profile": profile.name,
                "policy": policy.describe(),
                "seed": seed,
                "store": str(store),
                "refusal_detector": f"{refusal.name}@{refusal.version}",
                "notes": notes,
                "guard_usage": guard_usage,
                "draws": [r.to_dict() for r in results],
            },
        )
    if fail_on_fails and any(r.verdict() == "fails" for r in results):
        sys.exit(3)
