"""One self-contained HTML page: the actor network (Cytoscape.js), a map of the
engagements (Leaflet), a time slider, search by name or alias, and a side panel with a
node's facts and their evidence. The libraries and data (from the npm registry, each with
its static/*.LICENSE: cytoscape 3.34.4, leaflet 1.9.4, cytoscape-fcose 2.2.0 with
cose-base 2.2.0 and layout-base 2.0.1 for the layout, topojson-client 3.1.0, and
world-atlas 2.0.2's Natural Earth 1:110m countries for the offline base map) are
inlined; nothing is fetched when the page is viewed unless the reader turns map tiles on. The data is
embedded as JSON with every '<' escaped, so no text can close the script element, and
the page sets all text with textContent."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .cyjs import elements
from .network import Network

STATIC = resources.files("kg.export") / "static"


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def embed_json(data: object) -> str:
    """JSON safe inside <script>: '<', '>' and '&' escaped, line separators too."""
    text = json.dumps(data, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


LIBRARIES = (("KG_CYTOSCAPE", "cytoscape.min.js"), ("KG_LAYOUT_BASE", "layout-base.js"),
             ("KG_COSE_BASE", "cose-base.js"), ("KG_FCOSE", "cytoscape-fcose.js"),
             ("KG_TOPOJSON", "topojson-client.min.js"), ("KG_LEAFLET", "leaflet.js"))


def inline(template: str) -> str:
    """A page template with its /*KG_…*/ marks replaced by the inlined libraries, Leaflet's
    stylesheet and the world's countries (the export page and ``kg serve``'s page)."""
    out = template.replace("/*KG_LEAFLET_CSS*/", _static("leaflet.css"))
    for mark, name in LIBRARIES:
        if f"/*{mark}*/" in out:
            out = out.replace(f"/*{mark}*/", _static(name).replace("</script", "<\\/script"))
    return out.replace("/*KG_WORLD*/", embed_json(json.loads(_static("countries-110m.json"))))


def page(network: Network) -> str:
    data = {"elements": elements(network), "engagements": network.engagements}
    # the libraries first, the data last: no placeholder can appear inside the data
    return inline(_static("page.html")).replace("/*KG_DATA*/", embed_json(data))


def write(network: Network, path: Path) -> None:
    path.write_text(page(network), encoding="utf-8")
