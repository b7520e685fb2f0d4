"""The site's theme: its name, logo, favicon, two brand colours and footer. One row (id 1), set by an administrator
in the web interface or from a file (`flask lms theme load`); no row means the default theme (lms.core.theme)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow


class SiteTheme(Base):
    __tablename__ = "site_theme"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_name: Mapped[str] = mapped_column(String(80))
    brand_colour: Mapped[str] = mapped_column(String(7))
    accent_colour: Mapped[str] = mapped_column(String(7))
    footer_text: Mapped[str] = mapped_column(String(300), default="")
    footer_links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)          # sanitised SVG or re-encoded PNG
    logo_type: Mapped[str | None] = mapped_column(String(20))
    favicon: Mapped[bytes | None] = mapped_column(LargeBinary)
    favicon_type: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
