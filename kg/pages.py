"""What the three pages share (the export page, the curator report, ``kg serve``'s page):
JSON embedded safely in a <script>, and the libraries and map data of kg/export/static/
inlined in place of their /*KG_…*/ marks, so a page works offline."""

from __future__ import annotations

import json
from importlib import resources

STATIC = resources.files("kg") / "export" / "static"  # (not via kg.export: it imports this)


def static(name: str) -> str:
    """A file of kg/export/static/ as text."""
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
    out = template.replace("/*KG_LEAFLET_CSS*/", static("leaflet.css"))
    for mark, name in LIBRARIES:
        if f"/*{mark}*/" in out:
            out = out.replace(f"/*{mark}*/", static(name).replace("</script", "<\\/script"))
    return out.replace("/*KG_WORLD*/", embed_json(json.loads(static("countries-110m.json"))))



__all__ = ["LIBRARIES", "embed_json", "inline", "static"]
