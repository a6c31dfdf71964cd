"""Denied-party screening speed: one name against a 20,000-entry list (target ≤ 20 ms).

Writes a synthetic list in the US Consolidated Screening List CSV format to a temporary
directory (names built like real entries: legal forms, transliterated words, alt names,
addresses), loads and indexes it the way the desk does (services.compliance), then screens the
demo customers' names, their ship-to names and typo'd list names, and prints p50/p95/max per
name. Run: .venv/bin/python bench/screening.py [--entries 20000] [--names 400]
"""

import argparse
import csv
import random
import statistics
import tempfile
import time
from pathlib import Path

from orderdesk_tui.domain.compliance.screening import Party, screen_party
from orderdesk_tui.paths import bundled
from orderdesk_tui.services.compliance import load_denied_party_index

_HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids"
)
HEADER = _HEADER.split(",")
SOURCES = [
    "Specially Designated Nationals (SDN) - Treasury Department",
    "Entity List (EL) - Bureau of Industry and Security",
    "Unverified List (UVL) - Bureau of Industry and Security",
    "Military End User (MEU) List - Bureau of Industry and Security",
    "Denied Persons List (DPL) - Bureau of Industry and Security",
    "Nonproliferation Sanctions (ISN) - State Department",
]
_SYLLABLES = (
    "al ar an as ba be da de el en fa ga ha ka ki ko la li lo ma me mi mo na ne no "
    "ra re ri ro sa se si so ta te ti to va ve vo za ze zi kh sh ch zh yu ya ov ev in"
)
SYLLABLES = _SYLLABLES.split()
_WORDS = (
    "Trading Technology Electronics Industrial Engineering Petroleum Shipping Machinery "
    "Logistics Marine Aviation Chemical Energy Precision Systems Import Export Investment "
    "Construction Development Scientific Supply General Steel Mining Optical Components"
)
WORDS = _WORDS.split()
FORMS = [
    "Co., Ltd.",
    "LLC",
    "L.L.C.",
    "FZE",
    "Limited",
    "GmbH",
    "S.A.",
    "OOO",
    "AO",
    "JSC",
    "Company",
    "Corporation",
    "Sdn. Bhd.",
    "(Pvt) Ltd.",
    "Ltd. Sti.",
    "C.A.",
    "Inc.",
    "",
]
COUNTRIES = ["IR", "RU", "CN", "HK", "AE", "TR", "KP", "SY", "VE", "PK", "MY", "LB", "BY"]
CITIES = [
    "Tehran",
    "Moscow",
    "Shenzhen",
    "Hong Kong",
    "Dubai",
    "Istanbul",
    "Pyongyang",
    "Damascus",
    "Caracas",
    "Karachi",
    "Kuala Lumpur",
    "Beirut",
    "Minsk",
]


def word(rnd: random.Random) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).capitalize()


def entity_name(rnd: random.Random) -> str:
    parts = [word(rnd) for _ in range(rnd.randint(1, 2))]
    parts += rnd.sample(WORDS, rnd.randint(0, 2))
    form = rnd.choice(FORMS)
    return " ".join(parts + ([form] if form else []))


def person_name(rnd: random.Random) -> str:
    return f"{word(rnd).upper()}, {word(rnd)} {word(rnd)}"


def write_list(path: Path, entries: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    names: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER)
        writer.writeheader()
        for i in range(entries):
            person = rnd.random() < 0.3
            name = person_name(rnd) if person else entity_name(rnd)
            names.append(name)
            alts = [
                entity_name(rnd) if not person else person_name(rnd)
                for _ in range(rnd.choice((0, 0, 0, 1, 1, 2, 3)))
            ]
            k = rnd.randrange(len(COUNTRIES))
            addresses = "; ".join(
                f"No. {rnd.randint(1, 999)}, {word(rnd)} Street, {CITIES[k]}, {COUNTRIES[k]}"
                for _ in range(rnd.choice((0, 1, 1, 1, 2)))
            )
            writer.writerow(
                {
                    "_id": f"{i:040x}",
                    "source": rnd.choice(SOURCES),
                    "entity_number": str(10000 + i),
                    "type": "Individual" if person else "Entity",
                    "programs": rnd.choice(["IRAN", "SDGT", "RUSSIA-EO14024", "NPWMD; IFSR", ""]),
                    "name": name,
                    "addresses": addresses,
                    "alt_names": "; ".join(alts),
                }
            )
    return names


def typo(rnd: random.Random, name: str) -> str:
    chars = list(name)
    for _ in range(rnd.randint(1, 2)):
        i = rnd.randrange(len(chars))
        chars[i] = rnd.choice("aeiourstn")
    return "".join(chars)


def demo_parties() -> list[Party]:
    parties = []
    with bundled("data/demo/customers.csv").open(encoding="utf-8") as fh:
        parties += [Party("sold_to", row["name"]) for row in csv.DictReader(fh)]
    with bundled("data/demo/addresses.csv").open(encoding="utf-8") as fh:
        parties += [
            Party(
                "ship_to",
                r["name"],
                r["line1"],
                r["line2"],
                r["city"],
                r["region"],
                r["postal_code"],
                r["country"],
            )
            for r in csv.DictReader(fh)
        ]
    return parties


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--names", type=int, default=400, help="names screened (cycled)")
    ap.add_argument("--threshold", type=float, default=88)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "consolidated.csv"
        listed = write_list(path, args.entries, args.seed)
        size_mb = path.stat().st_size / 1e6
        started = time.perf_counter()
        index = load_denied_party_index(path)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        again = load_denied_party_index(path)
        cached_ms = (time.perf_counter() - started) * 1000
        assert again is index

    parties = demo_parties()
    names = [p.name for p in parties] + [typo(rnd, n) for n in rnd.sample(listed, 100)]
    for name in names[:20]:  # warm up
        screen_party(Party("sold_to", name), index, args.threshold)

    def run(items: list[Party]) -> tuple[list[float], int]:
        timings: list[float] = []
        hits = 0
        for i in range(args.names):
            party = items[i % len(items)]
            started = time.perf_counter()
            found = screen_party(party, index, args.threshold)
            timings.append((time.perf_counter() - started) * 1000)
            hits += bool(found)
        timings.sort()
        return timings, hits

    print(
        f"list: {args.entries} entries, {index.name_count} names and alt names, "
        f"{size_mb:.1f} MB CSV"
    )
    print(f"load + index: {load_s * 1000:.0f} ms once; cached reload check {cached_ms:.2f} ms")
    rows = [
        ("one name", run([Party("sold_to", n) for n in names])),
        ("one party (name parts + address)", run(parties)),
    ]
    for label, (timings, hits) in rows:
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{label}: {len(timings)} screened, {hits} with a match >= {args.threshold:g}")
        print(
            f"  p50 {statistics.median(timings):.2f} ms   p95 {p95:.2f} ms   "
            f"max {timings[-1]:.2f} ms   (target <= 20 ms per name)"
        )


if __name__ == "__main__":
    main()
