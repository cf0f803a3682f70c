"""Guard prompt templates: one TOML file per guard family under ``templates/`` (docs/guard.md).

A template says how to send an item (``conversation``: the served model's own chat template builds the
moderation prompt; ``prompt``: safecorpus writes the instruction), which parser reads the answer, and how
the guard's categories map onto risk ids.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from safecorpus.errors import ConfigError

TEMPLATES = ("qwen3guard", "llamaguard3", "llamaguard4", "rubric")


@dataclass(frozen=True, slots=True)
class GuardTemplate:
    name: str
    version: str
    parser: str  # qwen3guard | llamaguard | rubric
    send: str  # conversation | prompt
    prompt: str | None
    system: str | None
    categories: dict[str, tuple[str, tuple[str, ...]]]  # key (code or lower-cased name) -> (name, risks)

    def category_list(self, risk_names: dict[str, str]) -> str:
        if self.parser == "rubric":
            return "\n".join(f"{rid}: {name}" for rid, name in risk_names.items())
        return "\n".join(f"{code}: {name}." for code, (name, _) in self.categories.items())

    def messages(
        self, text: str, question: str | None, risk_names: dict[str, str], send: str | None = None
    ) -> list[dict[str, str]]:
        """The chat messages for one item: ``text`` alone, or ``text`` as the answer to ``question``."""
        mode = send or self.send
        if mode == "conversation":
            if question is None:
                return [{"role": "user", "content": text}]
            return [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
        if not self.prompt:
            raise ConfigError(f"guard template {self.name!r} has no prompt; use send = 'conversation'")
        if question is None:
            role, conversation = "User", f"User: {text}"
        else:
            role, conversation = "Agent", f"User: {question}\n\nAgent: {text}"
        body = self.prompt.format(
            role=role, conversation=conversation, category_list=self.category_list(risk_names)
        )
        out = [{"role": "system", "content": self.system}] if self.system else []
        return [*out, {"role": "user", "content": body}]

    def risks_for(self, category: str) -> tuple[str, ...] | None:
        """Risk ids of a category the guard named (``None``: a category this template does not know)."""
        key = category.strip()
        hit = self.categories.get(key) or self.categories.get(key.upper()) or self.categories.get(key.lower())
        return None if hit is None else hit[1]


def _categories(raw: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    out = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            out[key] = (str(value["name"]), tuple(value.get("risks", ())))
        else:
            out[key.lower()] = (key, tuple(value))
    return out


@lru_cache(maxsize=16)
def load_template(name_or_path: str) -> GuardTemplate:
    """A packaged template by name (``qwen3guard`` …) or a TOML file of the same shape."""
    if name_or_path in TEMPLATES:
        path = Path(
            str(resources.files("safecorpus.detect.guard").joinpath(f"templates/{name_or_path}.toml"))
        )
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(
                f"guard template {name_or_path!r}: not one of {', '.join(TEMPLATES)} and no such file"
            )
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
        tpl = GuardTemplate(
            name=str(doc["name"]),
            version=str(doc.get("version", "1")),
            parser=str(doc["parser"]),
            send=str(doc.get("send", "conversation")),
            prompt=doc.get("prompt"),
            system=doc.get("system"),
            categories=_categories(doc.get("categories", {})),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a valid guard template ({exc})") from None
    if tpl.parser not in ("qwen3guard", "llamaguard", "rubric"):
        raise ConfigError(f"{path}: parser must be qwen3guard, llamaguard or rubric")
    if tpl.send not in ("conversation", "prompt"):
        raise ConfigError(f"{path}: send must be 'conversation' or 'prompt'")
    return tpl
