"""Indicator series from other sources, their figures, and the monthly lägesbild.

Named ``IndicatorSeries``/``Measurement`` (tables ``indicator_series``,
``indicator_measurement``) so that they are not mixed up with a survey's key figures
(``surveys.definition.Indicator``).

A lägesbild keeps the figures it was drafted with as one JSON document (``figures``): a
published month must show the same numbers next year, whatever is imported since. Staff texts
are per language (``{"sv": ..., "en": ...}``) like the löfte's. A published version is never
changed: a correction is a new version of the same month.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import utcnow


class IndicatorSeries(db.Model):
    """One indicator: what it counts, where the figures come from, how to read a rise."""

    __tablename__ = "indicator_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[dict] = mapped_column(JSON, default=dict)  # {"sv": ..., "en": ...}
    category: Mapped[str] = mapped_column(String(32), default="annat")
    unit: Mapped[str] = mapped_column(String(32), default="antal")
    source: Mapped[str] = mapped_column(Text, default="")
    rise_is_bad: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sensitive series are published for the whole kommun only, unless staff set show_areas.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    show_areas: Mapped[bool] = mapped_column(Boolean, default=False)
    # 12 (monthly) or 4 (quarterly); a series keeps one kind.
    per_year: Mapped[int | None]
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="series", cascade="all, delete-orphan", passive_deletes=True)


class Measurement(db.Model):
    """One figure of a series: a period (``2026-03`` or ``2026-Q1``) and an area ('' is the
    whole kommun)."""

    __tablename__ = "indicator_measurement"
    __table_args__ = (UniqueConstraint("series_id", "period", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_series.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    area: Mapped[str] = mapped_column(String(128), default="")
    value: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    series: Mapped[IndicatorSeries] = relationship(back_populates="measurements")


class Lagesbild(db.Model):
    """One version of one month's lägesbild: draft → approved by kommun and police →
    published. A newer published version of the month supersedes it on the public pages."""

    __tablename__ = "lagesbild"
    __table_args__ = (UniqueConstraint("period", "version"),
                      Index("ix_lagesbild_status_period", "status", "period"))

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    figures_built_at: Mapped[datetime | None]
    # {"analysis": {"sv": ..}, "other": {..}, "measures": {..}}
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"problem": {"sv": ..}, "causes": {..}, "influence": {..}}]
    problems: Mapped[list] = mapped_column(JSON, default=list)
    correction_reason: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_kommun_by: Mapped[str | None] = mapped_column(String(255))
    approved_kommun_at: Mapped[datetime | None]
    approved_polis_by: Mapped[str | None] = mapped_column(String(255))
    approved_polis_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(255))
