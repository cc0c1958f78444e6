"""Words of public names: the agency's service points (names, cities, addresses), agencies and
services people mention, which the name finder never takes for a person's name, and the
service points' addresses, which the address finder leaves in place."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
PUBLIC_NAMES = Path(__file__).parent / "data" / "public_names.txt"
SERVICE_POINTS = ROOT / "bot" / "booking" / "seed_data.yml"
CAPITALISED = re.compile(r"(?<![\w])[A-ZÅÄÖ][\w.-]*[^\W\d_]")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@lru_cache(maxsize=1)
def service_points() -> list[dict[str, Any]]:
    return yaml.safe_load(SERVICE_POINTS.read_text(encoding="utf-8")).get("service_points") or []


@lru_cache(maxsize=1)
def service_point_addresses() -> frozenset[str]:
    """"Malmin raitti 17 A, 00700 Helsinki": public, never redacted."""
    return frozenset(point["address"] for point in service_points() if point.get("address"))


@lru_cache(maxsize=1)
def public_place_words() -> frozenset[str]:
    """Capitalised words of the service points' names, cities and addresses, and the listed
    agencies and services, folded."""
    words = {w.casefold() for line in PUBLIC_NAMES.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#") for w in line.split()}
    for point in service_points():
        for text in _strings({key: point.get(key) for key in ("names", "city", "address")}):
            words |= {w.casefold() for w in CAPITALISED.findall(text)}
    return frozenset(words)
