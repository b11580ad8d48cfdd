"""One self-contained HTML page: the actor network (Cytoscape.js), a map of the
engagements (Leaflet), a time slider, search by name or alias, and a side panel with a
node's facts and their evidence. The libraries and data (from the npm registry, each with
its static/*.LICENSE: cytoscape 3.34.4, leaflet 1.9.4, cytoscape-fcose 2.2.0 with
cose-base 2.2.0 and layout-base 2.0.1 for the layout, topojson-client 3.1.0, and
world-atlas 2.0.2's Natural Earth 1:110m countries for the offline base map) are
inlined (kg/pages.py); nothing is fetched when the page is viewed unless the reader turns
map tiles on. The data is embedded as JSON with every '<' escaped, so no text can close the script element, and
the page sets all text with textContent."""

from __future__ import annotations

from pathlib import Path

from ..pages import embed_json, inline, static
from .cyjs import elements
from .network import Network


def page(network: Network) -> str:
    data = {"elements": elements(network), "engagements": network.engagements}
    # the libraries first, the data last: no placeholder can appear inside the data
    return inline(static("page.html")).replace("/*KG_DATA*/", embed_json(data))


def write(network: Network, path: Path) -> None:
    path.write_text(page(network), encoding="utf-8")
