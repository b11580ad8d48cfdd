"""Colours by actor type, shared by GEXF, Cytoscape JSON and the page."""

from __future__ import annotations

COLORS: dict[str, tuple[int, int, int]] = {
    "State": (31, 119, 180),
    "StateForce": (214, 39, 40),
    "Government": (148, 103, 189),
    "ArmedGroup": (255, 127, 14),
    "Militia": (140, 86, 75),
    "Alliance": (44, 160, 44),
    "PoliticalOrganization": (227, 119, 194),
    "InternationalOrganization": (23, 190, 207),
    "OtherOrganization": (127, 127, 127),
    "Actor": (188, 189, 34),
    "Person": (90, 90, 90),
}


def hex_color(type_: str) -> str:
    r, g, b = COLORS.get(type_, COLORS["Actor"])
    return f"#{r:02x}{g:02x}{b:02x}"
