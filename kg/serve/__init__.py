"""``kg serve``: the SPARQL 1.1 Protocol endpoint over a store, its named queries and
its page. ``protocol.py`` reads a request, ``engine.py`` answers it in worker
processes under a time limit, ``app.py`` is the HTTP server."""

from __future__ import annotations

from .app import ServeOptions, create_app, serve

__all__ = ["ServeOptions", "create_app", "serve"]
