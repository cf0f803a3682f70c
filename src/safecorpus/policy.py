"""The policy a command runs under, compiled once from the profile, ``safecorpus.toml`` and its flags.

Every command builds one :class:`Policy` at its start and takes its settings from it, so that the
profile's overrides, the project's sections and the command line are merged in one place and one order
(the command line wins, then ``safecorpus.toml``, then the profile and the built-in defaults). Its
:attr:`Policy.fingerprint` and :attr:`Policy.rules_version` go into every output, so a reader can tell
whether two results were decided under the same settings and the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safecorpus.assess.decision import RULES_VERSION, DecisionRule, policy_stamp
from safecorpus.config import ProjectConfig, load_config
from safecorpus.io.options import ReaderOptions
from safecorpus.pipeline.policy import FilterPolicy
from safecorpus.registry.db import default_url
from safecorpus.taxonomy.profile import Profile, load_profile

READER_KEYS = ("text_field", "id_field", "source_field", "url_field", "encoding", "max_record_bytes")
DEFAULT_SUBJECT_FIELD = "user_id"


@dataclass(frozen=True)
class Policy:
    """Every setting a command decides by, typed; build it with :meth:`compile`."""

    profile: Profile
    project: ProjectConfig
    decision: DecisionRule
    filter: FilterPolicy
    reader: ReaderOptions
    lexicon: str
    store_dir: Path
    store_url: str
    subject_field: str
    fingerprint: str
    rules_version: int = RULES_VERSION

    @classmethod
    def compile(
        cls,
        config_path: str | Path | None = None,
        profile_name: str | None = None,
        *,
        lexicon: str | None = None,
        store_dir: str | Path | None = None,
        store_url: str | None = None,
        subject_field: str | None = None,
        **reader_given: Any,
    ) -> Policy:
        """Read ``safecorpus.toml`` (``config_path``, else ./safecorpus.toml when present), load the
        profile (``profile_name``, else ``[profile] name``, else the default) with the file's
        ``[profile]`` overrides, and apply the command-line values given (``None`` means not given)."""
        unknown = set(reader_given) - set(READER_KEYS)
        if unknown:
            raise TypeError(f"Policy.compile: unknown option(s) {', '.join(sorted(unknown))}")
        project = load_config(config_path)
        overrides = project.section("profile")
        name = profile_name or overrides.pop("name", None)
        overrides.pop("name", None)
        profile = load_profile(name, overrides or None, project.origin)
        reader = _reader(project, reader_given)
        lexicon_path = lexicon or project.section("lexicon").get("path", "default")
        folder = Path(store_dir or project.section("store").get("dir") or ".safecorpus")
        url = store_url or project.section("store").get("url") or default_url(folder)
        subject = subject_field or project.section("consent").get("subject_field") or DEFAULT_SUBJECT_FIELD
        judged = project.policy_data()
        # Values given on the command line change results as the file's would: fingerprint them the same.
        given_input = {k: v for k, v in reader_given.items() if v is not None}
        if given_input:
            judged["input"] = {**judged.get("input", {}), **given_input}
        if lexicon:
            judged["lexicon"] = {**judged.get("lexicon", {}), "path": lexicon}
        if subject_field:
            judged["consent"] = {**judged.get("consent", {}), "subject_field": subject_field}
        return cls(
            profile=profile,
            project=project,
            decision=DecisionRule.from_profile(profile),
            filter=FilterPolicy.from_profile(profile),
            reader=reader,
            lexicon=lexicon_path,
            store_dir=folder,
            store_url=url,
            subject_field=subject,
            fingerprint=profile.fingerprint(judged),
        )

    @property
    def profile_name(self) -> str:
        return self.profile.name

    def section(self, name: str) -> dict[str, Any]:
        """A command's own ``safecorpus.toml`` section (the defaults of its options)."""
        return self.project.section(name)

    def describe(self) -> dict[str, Any]:
        """The ``policy`` object every output records."""
        return policy_stamp(self.profile, self.fingerprint)


def _reader(project: ProjectConfig, given: dict[str, Any]) -> ReaderOptions:
    defaults = ReaderOptions()
    section = project.section("input")
    values = {}
    for key in READER_KEYS:
        value = given.get(key)
        values[key] = value if value is not None else section.get(key, getattr(defaults, key))
    return ReaderOptions(**values)
