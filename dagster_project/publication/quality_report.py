"""The validation results as a page a person can read: ``published/quality/index.html``."""
import html
import json
from pathlib import Path


def render_quality_html(folder: Path) -> Path:
    suites = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    rows = []
    for s in suites:
        errors = [r for r in s["results"] if not r["success"] and r["severity"] == "error"]
        warnings = [r for r in s["results"] if not r["success"] and r["severity"] == "warning"]
        state = "refused" if errors else ("warning" if warnings else "passed")
        rows.append(f"<tr class='{state}'><td>{html.escape(s['suite'])}</td><td>{html.escape(s['asset'])}</td>"
                    f"<td>{state}</td><td>{len(s['results'])}</td><td>{len(errors)}</td><td>{len(warnings)}</td>"
                    f"<td>{html.escape(s['validated_at'])}</td></tr>")
        for r in [r for r in s["results"] if r.get("accepted")]:
            for a in r["accepted"]:
                rows.append(
                    f"<tr class='detail accepted'><td colspan='7'><b>ACCEPTÉ</b> <code>{html.escape(a['id'])}</code> "
                    f"par {html.escape(str(a.get('by')))} le {html.escape(str(a.get('at')))} — motif : "
                    f"{html.escape(str(a.get('reason')))}<br>Contrôle : {html.escape(r['means'])} "
                    f"(observé : {html.escape(str(r['observed']))})</td></tr>")
        for r in errors + warnings:
            rows.append(
                f"<tr class='detail {r['severity']}'><td colspan='7'><b>{r['severity'].upper()}</b> "
                f"<code>{html.escape(r['batch'])}</code> {html.escape(r['expectation'])} — observed: "
                f"{html.escape(str(r['observed']))}<br>What it means: {html.escape(r['means'])}<br>"
                f"What to do: {html.escape(r['action'])}<br>Sample: "
                f"<code>{html.escape(json.dumps(r['sample'][:10], ensure_ascii=False, default=str))}</code></td></tr>")
    n_err = sum(1 for s in suites for r in s["results"] if not r["success"] and r["severity"] == "error")
    page = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Contrôles qualité — entrepôt E-parcours / ESMS Numérique</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}
tr.passed td:nth-child(3){{color:#176f2c}} tr.warning td:nth-child(3){{color:#a66300}}
tr.refused td:nth-child(3){{color:#b00020;font-weight:bold}} tr.accepted td{{background:#fff6e0}} tr.detail td{{font-size:90%;background:#fafafa}}</style>
</head><body><h1>Contrôles qualité avant publication</h1>
<p>{len(suites)} suites, {n_err} expectation(s) bloquante(s) en échec. Une suite en échec bloquant empêche toute
publication ; les avertissements sont signalés sans bloquer.</p>
<table><tr><th>Suite</th><th>Asset</th><th>État</th><th>Expectations</th><th>Erreurs</th><th>Avertissements</th>
<th>Validé le</th></tr>
{''.join(rows)}
</table></body></html>
"""
    out = folder / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
