"""What a person sees: every page kg makes, opened in headless Chromium and saved as a
PNG in OUT/screenshots/ (``make demo`` runs it after the build and the exports).

    python tools/screenshots.py [OUT]

- index.png: the export page (network with its legend, offline map, side panel);
- index-edge.png: the same after a click on the busiest engagement edge;
- validation.png: the curator's validation report, the first finding's correction opened;
- serve-query.png, serve-map.png, serve-timeline.png: ``kg serve``'s page running the
  named query ``engagements`` as a table, a map and a timeline;
- serve-actor.png: its actor view of the first actor with most engagements.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser import driver  # headless Debian Chromium, as the tests use it
from tests.conftest import free_port, wait_for


def main(out: Path) -> None:
    shots = out / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    web = driver()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(out / "store"),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        web.get((out / "index.html").resolve().as_uri())
        time.sleep(1.5)
        web.save_screenshot(str(shots / "index.png"))
        web.execute_script("var e = window.kg.cy.edges('.engagement').max(x => x.data('weight')).ele;"
                           "e.select(); window.kg.showEdge(e);")
        web.save_screenshot(str(shots / "index-edge.png"))
        if (out / "validation.html").exists():
            web.get((out / "validation.html").resolve().as_uri())
            time.sleep(0.5)
            web.execute_script("var d = document.querySelector('#findings tbody details.fix'); if (d) d.open = true;")
            web.save_screenshot(str(shots / "validation.png"))
        base = f"http://127.0.0.1:{port}"
        if not wait_for(base + "/queries", 60):
            raise SystemExit(f"kg serve did not answer at {base} in 60 s")
        for view in ("table", "map", "timeline"):
            web.get(base + "/#named=engagements")
            time.sleep(2)
            web.execute_script("window.kg.setView(arguments[0])", view)
            time.sleep(1)
            web.save_screenshot(str(shots / f"serve-{'query' if view == 'table' else view}.png"))
        busiest = web.execute_script(
            "return await fetch('/queries/actors', {headers: {Accept: 'application/sparql-results+json'}})"
            ".then(r => r.json()).then(d => d.results.bindings"
            ".sort((a, b) => b.engagements.value - a.engagements.value)[0].actor.value)")
        web.get(base + "/#actor=" + urllib.request.quote(busiest, safe=""))
        time.sleep(2)
        web.save_screenshot(str(shots / "serve-actor.png"))
    finally:
        web.quit()
        server.terminate()
        server.wait(10)
    for png in sorted(shots.glob("*.png")):
        print(f"wrote {png}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out"))
