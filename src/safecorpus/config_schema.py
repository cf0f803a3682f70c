"""The schema of ``safecorpus.toml``: every section and key, with its type and range.

A section's keys are the defaults of its command's options (the command line wins); ``[profile]`` holds
the profile's name and overrides of any profile key (checked against the profile schema).
"""

from __future__ import annotations

from safecorpus.keyspec import Bool, Float, Int, List, Str, Table
from safecorpus.taxonomy.schema import PROFILE

PORT_MAX = 65535

CONFIG = Table(
    {
        "profile": PROFILE,
        "input": Table(
            {
                "text_field": Str("field holding the text"),
                "id_field": Str("field holding the record id"),
                "source_field": Str("field naming the record's source"),
                "url_field": Str("field holding the record's URL"),
                "encoding": Str("force one encoding for every file", choices=("utf-8", "gb18030")),
                "max_record_bytes": Int(1, None, "reject larger records"),
            },
            "reader defaults of every command that reads a corpus",
        ),
        "lexicon": Table({"path": Str("a packaged library name or a .tsv path")}, "the keyword library"),
        "store": Table(
            {
                "dir": Str("folder for evidence files and the default SQLite database"),
                "url": Str("SQLAlchemy URL of the results store; empty = SQLite under dir"),
            },
            "the results store of every command that reads or writes it",
        ),
        "assess": Table(
            {
                "seed": Str("sampling seed"),
                "matcher": Str("keyword matcher backend", choices=("auto", "hyperscan", "ahocorasick")),
            },
            "`safecorpus assess`",
        ),
        "consent": Table(
            {
                "subject_field": Str("record field naming the data subject, dotted for nested"),
                "min_score": Float(0.0, 1.0, "`consent report`: minimum PII score"),
            },
            "the consent ledger (`assess`, `filter`, `consent …`)",
        ),
        "modeltest": Table(
            {
                "endpoint": Str("API base URL of the model under test"),
                "model": Str("model name sent in each request"),
                "bank_files": List(Str(), "bank .jsonl files (default: the starter banks)"),
                "answers": Str("answer store (.jsonl) of `run`, `sheet` and `assess`"),
                "seed": Str("draw seed"),
                "concurrency": Int(1, None),
                "rps": Float(0.0, None, "at most this many requests per second", low_open=True),
                "timeout": Float(0.0, None, "seconds per request", low_open=True),
                "retries": Int(0, None, "retries per question after the first try"),
                "api_key_env": Str("environment variable holding the API key"),
                "system_prompt": Str(),
                "max_tokens": Int(1, None),
                "temperature": Float(0.0, 2.0),
            },
            "`safecorpus modeltest …`",
        ),
        "bank": Table(
            {
                "files": List(Str(), "bank .jsonl files (default: the starter banks)"),
                "dupes_threshold": Float(0.0, 1.0, "`bank dupes`: character 3-gram Jaccard similarity"),
            },
            "`safecorpus bank …`",
        ),
        "review": Table(
            {
                "double_share": Float(0.0, 1.0, "share of items labelled twice"),
                "retention_days": Int(1, None, "days the item texts are kept"),
                "manual_size": Int(1, None, "`load-manual`: items in the manual sample"),
                "manual_seed": Str("`load-manual`: sampling seed"),
            },
            "`safecorpus review …`",
        ),
        "serve": Table(
            {
                "host": Str(),
                "port": Int(1, PORT_MAX),
                "lang": Str(choices=("zh", "en")),
                "secure_cookies": Bool("mark cookies Secure (behind an HTTPS proxy)"),
                "stop_decided": Bool("stop handing out a decided source's items"),
            },
            "`safecorpus serve`",
        ),
        "classifier": Table(
            {
                "seed": Int(0, None, "`train`: seed"),
                "min_support": Int(1, None, "`train`: positives a risk needs for a head"),
                "threshold": Float(0.0, 1.0, "`evaluate`: threshold for every head"),
            },
            "`safecorpus classifier …` (the model itself: [profile.classifier])",
        ),
    }
)

# Sections whose keys say where things are or how a server runs, not how content is judged: left out of
# the configuration fingerprint.
NOT_POLICY = ("profile", "store", "serve")
