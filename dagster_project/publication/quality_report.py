"""The validation results as a page a person can read: ``published/quality/index.html`` (Jinja2 template
``templates/quality.html.j2``). The page is in French; the gate's technical explanations (``means``, ``action``,
the observed value and the sample), written for data engineers, are kept in English inside ``lang="en"``
elements."""
import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import fr

TEMPLATES = Path(__file__).with_name("templates")
STATES = {"passed": "réussi", "warning": "avertissement", "refused": "refusé"}
SEVERITIES = {"error": "Erreur bloquante", "warning": "Avertissement"}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(number=fr.number, published_at=fr.published_at, STATES=STATES, SEVERITIES=SEVERITIES)
    return env


def render_quality_html(folder: Path) -> Path:
    suites = []
    for p in sorted(folder.glob("*.json")):
        s = json.loads(p.read_text(encoding="utf-8"))
        s["errors"] = [r for r in s["results"] if not r["success"] and r["severity"] == "error"]
        s["warnings"] = [r for r in s["results"] if not r["success"] and r["severity"] == "warning"]
        s["state"] = "refused" if s["errors"] else ("warning" if s["warnings"] else "passed")
        suites.append(s)
    page = _environment().get_template("quality.html.j2").render(
        suites=suites, n_errors=sum(len(s["errors"]) for s in suites))
    out = folder / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
