"""Tables of the OEP registry (see helpline.storage.schema). Each change goes with an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.storage.models import Base

STATUSES = ("valid", "suspended", "cancelled", "expired")


class OepImport(Base):
    """One committed import of the Bureau's list: when, from which file, the list's own date, and its counts."""

    __tablename__ = "oep_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime]
    file_name: Mapped[str] = mapped_column(String(200))
    list_date: Mapped[date] = mapped_column(Date)  # the date of the list, shown to workers ("list of 3 Dec 2026")
    rows: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(120))  # "cli:<os user>" or a staff username

    def __repr__(self) -> str:
        return f"OepImport(id={self.id!r}, list_date={self.list_date!r}, rows={self.rows!r})"


class Oep(Base):
    """One licensed (or formerly licensed) Overseas Employment Promoter, keyed by its canonical licence number."""

    __tablename__ = "oeps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_no: Mapped[str] = mapped_column(String(16), unique=True)  # canonical: "1234/RWP"
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12))  # one of STATUSES
    valid_until: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[date | None] = mapped_column(Date)  # as the list said, when it says
    list_date: Mapped[date] = mapped_column(Date)  # the date of the last list this licence appeared in
    import_id: Mapped[int] = mapped_column(ForeignKey("oep_imports.id"), index=True)
    imported_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"Oep(id={self.id!r}, licence_no={self.licence_no!r}, status={self.status!r})"
