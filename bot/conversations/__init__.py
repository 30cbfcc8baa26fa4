"""Multi-step flows, one module a flow; each module has a `router` and a Mermaid sketch."""

from __future__ import annotations
