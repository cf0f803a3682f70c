"""The results store: SQLAlchemy 2 models on SQLite by default (PostgreSQL by URL), migrated by Alembic.

Large per-record outputs (sampled ids, findings) are files beside the store, not rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from safecorpus.errors import StoreError

DEFAULT_STORE_DIR = ".safecorpus"


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Run(Base):
    """One `safecorpus assess` run."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    corpus: Mapped[str] = mapped_column(Text)
    profile: Mapped[str] = mapped_column(String(64))
    profile_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[str] = mapped_column(Text)
    key_fingerprint: Mapped[str] = mapped_column(String(32))
    sampling_design: Mapped[str] = mapped_column(Text)
    sample_size: Mapped[int] = mapped_column(Integer)
    detectors: Mapped[list[Any]] = mapped_column(JSON)
    records_read: Mapped[int] = mapped_column(Integer)
    records_assessed: Mapped[int] = mapped_column(Integer)
    records_rejected: Mapped[int] = mapped_column(Integer)
    rejected_reasons: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence_dir: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)

    sources: Mapped[list[SourceResult]] = relationship(back_populates="run", cascade="all, delete-orphan")
    technical_sample: Mapped[TechnicalSampleResult | None] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class SourceResult(Base):
    """The per-source assessment of one run."""

    __tablename__ = "source_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    read: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    sampled: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    census: Mapped[int] = mapped_column(Integer, default=0)
    verdict: Mapped[str] = mapped_column(String(16))
    needed_sample_size: Mapped[int | None] = mapped_column(Integer)
    top_risks: Mapped[list[Any]] = mapped_column(JSON)
    layers: Mapped[dict[str, Any]] = mapped_column(JSON)
    sampled_ids_file: Mapped[str] = mapped_column(Text)

    run: Mapped[Run] = relationship(back_populates="sources")


class TechnicalSampleResult(Base):
    """The corpus-level technical sample of one run (keywords and fast classifiers only)."""

    __tablename__ = "technical_samples"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    fraction: Mapped[float] = mapped_column(Float)
    sampled: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)
    clean_rate: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    min_clean_rate: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))
    marginal: Mapped[int] = mapped_column(Integer)
    sampled_ids_file: Mapped[str] = mapped_column(Text)

    run: Mapped[Run] = relationship(back_populates="technical_sample")


def default_url(store_dir: str | Path = DEFAULT_STORE_DIR) -> str:
    return f"sqlite:///{Path(store_dir) / 'safecorpus.db'}"


def open_store(url: str | None = None) -> Engine:
    """Open (creating and migrating as needed) the store at ``url``; default ``./.safecorpus``."""
    url = url or default_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
        migrate(engine)
    except Exception as exc:  # the driver's own exception types vary by database
        raise StoreError(f"cannot open the results store {url!r}: {exc}") from exc
    return engine


def migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
