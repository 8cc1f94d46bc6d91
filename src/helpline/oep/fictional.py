"""A FICTIONAL list of recruiting agencies, for tests, benchmarks and demos. Never real agencies.

Every name is made of invented syllables by a seeded generator ("Zelvora Overseas Employment Promoters"), every
address says "(fictional)", and no phone numbers are given. The cities and the shape of the licence numbers
(``1234/RWP``) are the only real things in it. Same seed, same list.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

ONSETS = ("z", "k", "t", "v", "br", "d", "q", "m", "r", "s", "l", "n", "f", "g", "h", "j", "p", "x", "y", "w")
VOWELS = ("a", "e", "i", "o", "u", "ai", "ao")
CODAS = ("", "", "r", "l", "n", "v", "sh", "m", "x")
SUFFIXES = ("Overseas Employment Promoters", "Manpower Services (Pvt) Ltd", "International", "Overseas",
            "Manpower", "Recruiting Agency", "Overseas Employment Promoters (Private) Limited", "Services")
CITIES = (("Rawalpindi", "RWP"), ("Lahore", "LHR"), ("Karachi", "KHI"), ("Islamabad", "ISB"), ("Peshawar", "PSH"),
          ("Multan", "MLN"), ("Faisalabad", "FSD"), ("Sialkot", "SKT"), ("Gujranwala", "GRW"), ("Mirpur", "MPR"),
          ("Quetta", "QTA"), ("Hyderabad", "HYD"))
STATUSES = (("valid", 60), ("cancelled", 20), ("expired", 12), ("suspended", 8))
HEADER = ("licence_no", "name", "city", "status", "valid_until", "address", "phone", "updated_at")


@dataclass(frozen=True)
class Agency:
    """One fictional agency, as a row of the Bureau's list."""

    licence_no: str
    name: str
    city: str
    status: str
    valid_until: date | None
    address: str
    updated_at: date


def _word(rng: random.Random) -> str:
    syllables = [rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(rng.choice((2, 2, 3)))]
    return "".join(syllables).capitalize()


def agencies(count: int, seed: int = 17, as_of: date = date(2026, 12, 3)) -> list[Agency]:
    """``count`` fictional agencies (distinct invented names and licence numbers), the same for the same seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Agency] = []
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    while len(out) < count:
        core = _word(rng)
        if rng.random() < 0.3:
            core = f"{core} {_word(rng)}"
        if core.casefold() in seen:
            continue
        seen.add(core.casefold())
        city, code = rng.choice(CITIES)
        status = rng.choice(statuses)
        until = as_of + timedelta(days=rng.randint(30, 900)) if status == "valid" else \
            as_of - timedelta(days=rng.randint(1, 700))
        out.append(Agency(f"{1000 + len(out)}/{code}", f"{core} {rng.choice(SUFFIXES)}", city, status, until,
                          f"Office {rng.randint(1, 99)}, Plaza {len(out)} (fictional), {city}",
                          as_of - timedelta(days=rng.randint(0, 60))))
    return out


def to_csv(rows: list[Agency]) -> str:
    """The agencies as the import reads them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for a in rows:
        writer.writerow((a.licence_no, a.name, a.city, a.status, a.valid_until.isoformat() if a.valid_until else "",
                         a.address, "", a.updated_at.isoformat()))
    return buffer.getvalue()
