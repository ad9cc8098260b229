"""The method registry as people and pipelines read it: JSON, a Markdown table (docs/intervals.md), rich.

Every row comes from :mod:`audit.theory.methods`; nothing here names a method.
"""

from __future__ import annotations

from typing import Any

from audit.theory import methods


def _use(m: methods.IntervalMethod) -> str:
    if not m.finite_sample:
        return "never (asymptotic)"
    return "certificates" if m.certifies else "comparisons only"


def registry_json() -> dict[str, Any]:
    """Every family, radius method and interval method with what it declares (stable keys)."""
    return {
        "families": [
            {"name": f.name, "cli_name": f.cli_name, "parameter": f.parameter, "norm": f.norm,
             "summary": f.summary, "defaults": {"top1": f.top1, "topk": f.topk, "soft": f.soft}}
            for f in methods.families()
        ],
        "radius_methods": [
            {"name": m.name, "family": m.family, "output": m.output, "needs": str(m.need), "topk": m.topk,
             "parameters": list(m.params), "default_interval": m.default_interval, "reduces_to": m.reduces_to,
             "tight_witness": m.counterexample is not None, "comparisons": sorted(m.comparisons),
             "summary": m.summary, "guarantee": m.guarantee, "source": m.source, "aliases": list(m.aliases)}
            for m in methods.radius_methods()
        ],
        "intervals": [
            {"name": m.name, "evidence": str(m.evidence), "use": _use(m),
             "serves": sorted(str(n) for n in m.serves), "summary": m.summary, "guarantee": m.guarantee,
             "source": m.source, "aliases": list(m.aliases)}
            for m in methods.intervals()
        ],
    }  # fmt: skip


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def registry_markdown() -> str:
    """The two tables of docs/intervals.md (interval methods, radius methods), generated from the registry."""
    lines = [
        "| interval | evidence | used in | serves | guarantee (level α) | source |",
        "|---|---|---|---|---|---|",
    ]
    for m in methods.intervals():
        serves = ", ".join(sorted(str(n) for n in m.serves)) or "–"
        name = f"`{m.name}`" + (f" (read as: {', '.join(m.aliases)})" if m.aliases else "")
        row = [name, str(m.evidence), _use(m), serves, m.guarantee, m.source]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    lines += [
        "",
        "| radius method | family | output | needs | top-k | default interval | radius | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in methods.radius_methods():
        row = [f"`{r.name}`", r.family or "any", r.output, str(r.need), "yes" if r.topk else "no",
               f"`{r.default_interval}`", r.summary, r.source]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"
