"""The semestrial report's layout (reportlab platypus, imported lazily): the content model of ``content.py`` on
A4 pages, every figure printed as publish.* wrote it. The only texts written here are headings, notes, counts
and dates (``publication/fr.py``, ``calendar.py``).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ...calendar import quarter_label, semester_code, semester_label
from .. import fr

MM = 72 / 25.4
PAGE_MARGIN = 12 * MM
TOP_MARGIN, BOTTOM_MARGIN = 12 * MM, 14 * MM
BODY_WIDTH = 210 * MM - 2 * PAGE_MARGIN
FRAME_HEIGHT = 297 * MM - TOP_MARGIN - BOTTOM_MARGIN
TABLE_FONT = 6.0   # the per-structure tables: ten figure columns and the structure's name on an A4 page
TABLE_ROW = 8.0
GRID = (0.82, 0.82, 0.82)
HEAD_BG = (0.90, 0.92, 0.96)
DASH = fr.DASH


def _esc(text) -> str:
    from xml.sax.saxutils import escape
    return escape("" if text is None else str(text))


def _or_dash(text) -> str:
    return DASH if text is None or text == "" else str(text)


def _styles() -> dict:
    from reportlab.lib.styles import ParagraphStyle
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("title", base, fontName="Helvetica-Bold", fontSize=19, leading=24, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=12.5, leading=16, spaceAfter=14),
        "h1": ParagraphStyle("h1", base, fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=10,
                             spaceAfter=6, keepWithNext=1),
        "h2": ParagraphStyle("h2", base, fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=8,
                             spaceAfter=4, keepWithNext=1),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5, spaceAfter=4, keepWithNext=1),
        "cell": ParagraphStyle("cell", base, fontSize=7, leading=8.4),
        "cell_small": ParagraphStyle("cell_small", base, fontSize=6.3, leading=7.5),
        "chart_title": ParagraphStyle("chart_title", base, fontSize=7.5, leading=9),
    }


def _table_style(extra: list | None = None, header_rows: int = 1, font_size: float = 7) -> list:
    from reportlab.lib import colors
    cmds = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", font_size),
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", font_size),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(*HEAD_BG)),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.Color(*GRID)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    return cmds + (extra or [])


def _region_text(content: dict) -> str:
    return " ".join(x for x in (content["region_code"], content["region_name"]) if x) or "non renseignée"


def _pooled_head(scope_label, n_structures) -> str:
    """« ensemble des 3 ESMS (Σ num. / Σ dén.) »."""
    return f"ensemble des {fr.number(n_structures)} {scope_label or ''} (Σ num. / Σ dén.)".replace("  ", " ")


# --------------------------------------------------------------------------------------------------------
# 1. Summary at the semester end
# --------------------------------------------------------------------------------------------------------

def _source_cell(s: dict, st: dict):
    """The reference document, the first date of the tier in force and the tier's quotation of the document."""
    from reportlab.platypus import Paragraph
    tier = f", palier du {fr.day(s['target_applies_from'])}" if s["target_applies_from"] else ""
    source = _esc(s["target_source"]) if s["target_source"] else "aucun palier de cible pour ce document"
    return Paragraph(f"<b>{_esc(_or_dash(s['reference_document_label']))}</b>{tier}<br/>{source}",
                     st["cell_small"])


def _indicator_cell(s: dict, st: dict):
    from reportlab.platypus import Paragraph
    head = f"<b>{_esc(s['indicator_id'])}</b>" + (f" · {_esc(s['subgroup_label'])}" if s["subgroup_label"] else "")
    if s["pooled"]:
        head += f" · {_esc(_pooled_head(s['scope_label'], s['n_structures']))}"
    return Paragraph(f"{head}<br/>{_esc(s['label'])}", st["cell_small"])


def _summary_section(content: dict, st: dict) -> list:
    from reportlab.platypus import Paragraph, Spacer, Table
    end = content["semester_end"]
    story = [Paragraph(f"1. Synthèse régionale au {fr.day(end)}", st["h1"]),
             Paragraph("Chaque indicateur calculé à la fin du semestre, au niveau régional (EP-3.2 : par groupe de "
                       "structures), comparé à la cible en vigueur à la date de mesure : le palier du document de "
                       "référence de la ligne applicable à cette date, avec sa date de début et la citation du texte "
                       "officiel. Les indicateurs publiés par structure seulement (ESMS Numérique) sont agrégés ici "
                       "(somme des numérateurs sur somme des dénominateurs) ; la colonne « Atteinte » y donne le "
                       "nombre de structures atteignant leur propre cible parmi celles qui ont une cible et une "
                       "valeur.", st["note"])]
    header = ["Indicateur", "Num. / Dén.", "Valeur", "Cible", "Atteinte", "Statut",
              "Document de référence, palier et source"]
    widths = [44 * MM, 17 * MM, 13 * MM, 19 * MM, 20 * MM, 14 * MM]
    widths.append(BODY_WIDTH - sum(widths))
    for programme in sorted({s["programme"] or "" for s in content["summary"]}):
        rows = [[Paragraph(f"<b>{_esc(h)}</b>", st["cell_small"]) for h in header]]
        for s in (x for x in content["summary"] if (x["programme"] or "") == programme):
            rows.append([_indicator_cell(s, st), _or_dash(s["ratio_text"]), _or_dash(s["value_text"]),
                         Paragraph(_esc(_or_dash(s["target_text"])), st["cell"]),
                         Paragraph(_esc(_or_dash(s["attainment_label"])), st["cell"]),
                         _or_dash(s["status_label"]), _source_cell(s, st)])
        story += [Paragraph(_esc(programme or "Autres indicateurs"), st["h2"]),
                  Table(rows, colWidths=widths, repeatRows=1, style=_table_style(
                      [("ALIGN", (1, 1), (2, -1), "RIGHT")]))]
    for block in content["categories"]:
        story += _categories_table(content, block, st)
    if not content["summary"]:
        story.append(Paragraph("Aucun indicateur calculé à cette date.", st["body"]))
    return story + [Spacer(1, 4)]


def _categories_table(content: dict, block: dict, st: dict) -> list:
    """The pooled indicators of one scope type: the region, then each FINESS category, at the semester end."""
    from reportlab.platypus import Paragraph, Table
    ids = block["indicators"]
    if not ids:
        return []
    first = 52 * MM
    col = (BODY_WIDTH - first) / len(ids)

    def cell(c):
        if not c:
            return DASH
        return "\n".join(_or_dash(c[k]) for k in ("value_text", "ratio_text", "attainment_label"))

    rows = [["Catégorie d'établissement (FINESS)"] + ids,
            [Paragraph("<b>Ensemble de la région</b>", st["cell"])] + [cell(block["region"].get(i)) for i in ids]]
    for g in block["categories"]:
        rows.append([Paragraph(_esc(g["categorie"]), st["cell"])] + [cell(g["cells"].get(i)) for i in ids])
    title = block["title"] or block["scope_type"]
    return [Paragraph(f"{_esc(title)} par catégorie au {fr.day(content['semester_end'])}", st["h2"]),
            Paragraph("Par catégorie : taux agrégé (somme des numérateurs sur somme des dénominateurs), numérateur "
                      "et dénominateur, puis nombre de structures atteignant leur cible sur le nombre de structures "
                      "ayant une cible et une valeur.", st["note"]),
            Table(rows, colWidths=[first] + [col] * len(ids), repeatRows=1,
                  style=_table_style([("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("ALIGN", (1, 0), (-1, 0), "RIGHT")]))]


# --------------------------------------------------------------------------------------------------------
# 2. Charts
# --------------------------------------------------------------------------------------------------------

def _nice_max(m: float) -> float:
    if m <= 0:
        return 1.0
    exp = 10 ** max(len(str(int(m))) - 2, -1)
    for mult in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = mult * exp
        if m / step <= 5:
            return step * -(-m // step)
    return m


def _chart_drawing(chart: dict, dates: list[date], quarters: list[date], w: float, h: float):
    """Value (solid line) and target (dashed, one segment per stretch of equal targets) at every measure date;
    the semester's quarters shaded. Coordinates from the published numbers; the only figure written is the
    value_text of the last point."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
    from reportlab.lib import colors
    d = Drawing(w, h)
    left, right, bottom, top = 26, 6, 24, 6
    pw, ph = w - left - right, h - bottom - top
    points = {p[0]: p for p in chart["points"]}
    n = max(len(dates), 1)
    step = pw / n
    seen = [p[1] for p in chart["points"] if p[1] is not None] + [p[2] for p in chart["points"] if p[2] is not None]
    ymax = _nice_max(max(seen + [100.0]) if chart["unit"] == "%" else (max(seen) if seen else 1.0))

    def x(i):
        return left + step * (i + 0.5)

    def y(v):
        return bottom + ph * min(max(v, 0), ymax) / ymax

    for i, dd in enumerate(dates):
        if dd in quarters:
            d.add(Rect(x(i) - step / 2, bottom, step, ph, fillColor=colors.Color(0.93, 0.93, 0.93),
                       strokeColor=None, strokeWidth=0))
    for k in range(6):
        v = ymax * k / 5
        d.add(Line(left, y(v), left + pw, y(v), strokeColor=colors.Color(*GRID), strokeWidth=0.3))
        d.add(String(left - 2, y(v) - 2, fr.number(v), fontName="Helvetica", fontSize=5.5,
                     textAnchor="end"))
    d.add(Line(left, bottom, left + pw, bottom, strokeColor=colors.black, strokeWidth=0.5))
    d.add(Line(left, bottom, left, bottom + ph, strokeColor=colors.black, strokeWidth=0.5))
    every = -(-n // 8)
    for i, dd in enumerate(dates):
        if (n - 1 - i) % every == 0:
            quarter, year = quarter_label(dd).split(" ")
            d.add(String(x(i), bottom - 8, quarter, fontName="Helvetica", fontSize=5.5, textAnchor="middle"))
            d.add(String(x(i), bottom - 15, year, fontName="Helvetica", fontSize=5.5, textAnchor="middle"))
    run = []
    for i, dd in enumerate(dates + [None]):
        t = points.get(dd, [None, None, None])[2] if dd else None
        if run and (t is None or t != run[-1][1]):
            d.add(Line(x(run[0][0]) - step / 2, y(run[0][1]), x(run[-1][0]) + step / 2, y(run[0][1]),
                       strokeColor=colors.Color(0.75, 0.1, 0.1), strokeWidth=1, strokeDashArray=[3, 2]))
            run = []
        if t is not None:
            run.append((i, t))
    segment = []
    for i, dd in enumerate(dates + [None]):
        v = points.get(dd, [None, None])[1] if dd else None
        if v is None:
            if len(segment) > 1:
                d.add(PolyLine([c for p in segment for c in p], strokeColor=colors.Color(0.1, 0.3, 0.65),
                               strokeWidth=1.3))
            segment = []
            continue
        segment.append((x(i), y(v)))
        d.add(Circle(x(i), y(v), 1.6, fillColor=colors.Color(0.1, 0.3, 0.65), strokeColor=None))
    last = points.get(dates[-1]) if dates else None
    if last and last[1] is not None and last[3]:
        d.add(String(x(n - 1), y(last[1]) + 4, last[3], fontName="Helvetica-Bold", fontSize=6,
                     textAnchor="end" if n > 1 else "middle"))
    d.add(String(left, 2, "valeur (trait plein)   cible (tirets)   semestre (fond gris)", fontName="Helvetica",
                 fontSize=5.5))
    return d


def _chart_caption(chart: dict, content: dict) -> str:
    head = f"<b>{_esc(chart['indicator_id'])}</b>"
    if chart["subgroup_label"]:
        head += f" · {_esc(chart['subgroup_label'])}"
    at_end = chart["at_end"]
    if chart["pooled_scope"]:
        head += " · " + _esc(_pooled_head(chart["scope_label"], at_end["n_structures"]) if at_end
                             else f"ensemble des {chart['scope_label'] or ''} (Σ num. / Σ dén.)")
    text = f"{head} — {_esc(chart['label'])}"
    if at_end:
        target = at_end["target_text"] or ""
        if target and at_end["target"] is not None:
            target = f"cible {target}"
        text += (f"<br/>Au {fr.day(content['semester_end'])} : {_esc(_or_dash(at_end['value_text']))}"
                 + (f", {_esc(target)}" if target else ""))
    return text


def _charts_section(content: dict, st: dict) -> list:
    from reportlab.platypus import Paragraph, Table
    story = [Paragraph("2. Évolution trimestrielle des indicateurs", st["h1"]),
             Paragraph(f"Valeur régionale (ou somme sur les structures) à chaque date de mesure jusqu'au "
                       f"{fr.day(content['semester_end'])} (trait plein), cible en vigueur (tirets), trimestres du "
                       "semestre (fond gris).", st["note"])]
    if not content["charts"]:
        return story + [Paragraph("Aucune série à représenter.", st["body"])]
    w = (BODY_WIDTH - 4 * MM) / 2
    dates = list(content["measure_dates"])
    cells = [[Paragraph(_chart_caption(c, content), st["chart_title"]),
              _chart_drawing(c, dates, content["quarters"], w - 4, 132)] for c in content["charts"]]
    rows = [cells[i:i + 2] + ([""] if i + 1 == len(cells) else []) for i in range(0, len(cells), 2)]
    story.append(Table(rows, colWidths=[w + 2 * MM] * 2, style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * MM), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return story


# --------------------------------------------------------------------------------------------------------
# 3. Per-structure tables (cut by page here)
# --------------------------------------------------------------------------------------------------------

QUARTER_HEAD = ["Num. / Dén.", "Valeur", "Cible", "Atteinte", "Statut"]
ABSENT = [DASH, DASH, DASH, DASH, "absent"]


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Greedy word wrap; a word wider than the column is cut where it no longer fits."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fits(t: str) -> bool:
        return stringWidth(t, font, size) <= width

    words = []
    for word in text.split():
        while not fits(word) and len(word) > 1:
            cut = max(n for n in range(1, len(word)) if fits(word[:n]) or n == 1)
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    lines, line = [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if line and not fits(candidate):
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


def _name_lines(finess: str, name: str | None, n_rows: int, width: float) -> list[str]:
    """The structure column of a block: FINESS on the first row, the name wrapped over the next rows."""
    if n_rows == 1:
        return [f"{finess} {name or ''}".strip()]
    lines = _wrap(name or "", width, "Helvetica", TABLE_FONT)
    if len(lines) > n_rows - 1:
        lines = lines[:n_rows - 1]
        lines[-1] = lines[-1][: max(len(lines[-1]) - 1, 1)] + "…"
    return [finess] + lines + [""] * (n_rows - 1 - len(lines))


def _figure_cells(f: dict | None) -> list[str]:
    if not f:
        return list(ABSENT)
    return [_or_dash(f[k]) for k in ("ratio_text", "value_text", "target_text", "attainment_label",
                                     "status_label")]


def _structure_rows(block: dict, quarters: list[date], name_width: float) -> list[list[list[str]]]:
    """One list of table rows per structure: FINESS and name down the first column, one row per indicator."""
    q = [d.isoformat() for d in quarters]
    indicators = block["indicators"]
    out = []
    for item in block["items"]:
        names = _name_lines(item["finess"], item["name"], len(indicators), name_width)
        rows = []
        for i, key in enumerate(indicators):
            f = item["figures"].get(key, {})
            rows.append([names[i], key] + _figure_cells(f.get(q[0])) + _figure_cells(f.get(q[1])))
        out.append(rows)
    return out


def _pages(blocks: list[list], first_capacity: int, capacity: int) -> list[list[list]]:
    """Greedy pagination of whole structures: each page gets as many blocks as fit in its rows (pure)."""
    pages, page, used, cap = [], [], 0, first_capacity
    for b in blocks:
        if page and used + len(b) > cap:
            pages.append(page)
            page, used, cap = [], 0, capacity
        page.append(b)
        used += len(b)
    return pages + ([page] if page else [])


def _quarter_widths(block: dict) -> list[float]:
    """The five columns of a quarter, each as wide as its widest text in this block (same on every page)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    widths = [stringWidth(h, "Helvetica-Bold", TABLE_FONT) for h in QUARTER_HEAD]
    for item in block["items"]:
        for by_date in item["figures"].values():
            for f in by_date.values():
                for i, text in enumerate(_figure_cells(f)):
                    widths[i] = max(widths[i], stringWidth(text, "Helvetica", TABLE_FONT))
    return [w + 4.5 for w in widths]


def _structure_tables(block: dict, quarters: list[date], first_height: float) -> list:
    """The per-structure table, cut by page here (whole structures, fixed row heights), each page with its
    own header: reportlab's own splitting of one 7,500-row table is quadratic (~30 s for a region)."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import KeepTogether, Table
    per_q = _quarter_widths(block)
    indicator_width = max([14 * MM] + [stringWidth(i, "Helvetica", TABLE_FONT) + 4.5 for i in block["indicators"]])
    first = [max(BODY_WIDTH - 2 * sum(per_q) - indicator_width, 20 * MM), indicator_width]
    n = len(QUARTER_HEAD)
    head0 = ["Structure", "Indicateur"]
    for d in quarters:
        head0 += [f"{quarter_label(d)} — mesure au {fr.day(d)}"] + [""] * (n - 1)
    head1 = ["FINESS, nom", ""] + QUARTER_HEAD * 2
    header_height = 2 * (TABLE_ROW + 1)

    def capacity(height: float) -> int:
        return max(int((height - header_height - 4) // TABLE_ROW), 1)

    blocks = _structure_rows(block, quarters, first[0] - 4)
    tables = []
    for page in _pages(blocks, capacity(first_height), capacity(FRAME_HEIGHT)):
        rows, style = [head0, head1], _table_style([
            ("SPAN", (2, 0), (1 + n, 0)), ("SPAN", (2 + n, 0), (1 + 2 * n, 0)), ("ALIGN", (2, 0), (-1, 0), "CENTER"),
            ("ALIGN", (2, 1), (3, -1), "RIGHT"), ("ALIGN", (2 + n, 1), (3 + n, -1), "RIGHT"),
            ("LINEAFTER", (1 + n, 0), (1 + n, -1), 0.8, colors.Color(0.5, 0.5, 0.5)),
            ("TOPPADDING", (0, 0), (-1, -1), 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
        ], header_rows=2, font_size=TABLE_FONT)
        for b in page:
            style += [("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.8, colors.Color(0.45, 0.45, 0.45)),
                      ("FONT", (0, len(rows)), (0, len(rows)), "Helvetica-Bold", TABLE_FONT)]
            rows += b
        heights = [TABLE_ROW + 1] * 2 + [TABLE_ROW] * (len(rows) - 2)
        tables.append(KeepTogether([Table(rows, colWidths=first + per_q * 2, rowHeights=heights, repeatRows=2,
                                          style=style)]))
    return tables


def _height(flowables: list) -> float:
    total = 0.0
    for f in flowables:
        total += f.wrap(BODY_WIDTH, FRAME_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _structures_section(content: dict, st: dict) -> list:
    from reportlab.platypus import PageBreak, Paragraph
    story = []
    for n, block in enumerate(content["structures"], start=1):
        head = [Paragraph(f"3.{n}. Résultats par structure — {_esc(block['title'])}", st["h1"]),
                Paragraph(f"{fr.plural(len(block['items']), 'structure')}, "
                          f"{fr.plural(len(block['indicators']), 'indicateur')}, aux deux dates de mesure du "
                          "semestre. « absent » : aucune ligne publiée pour cette structure à cette date ; « — » : "
                          "sans valeur.", st["note"])]
        story += [PageBreak()] + head + _structure_tables(block, content["quarters"], FRAME_HEIGHT - _height(head))
    if not story:
        story = [PageBreak(), Paragraph("3. Résultats par structure", st["h1"]),
                 Paragraph("Aucun résultat par structure pour ce semestre.", st["body"])]
    return story


# --------------------------------------------------------------------------------------------------------
# 4. Declaratives, 5. data quality
# --------------------------------------------------------------------------------------------------------

def _declaratives_section(content: dict, st: dict) -> list:
    from reportlab.platypus import PageBreak, Paragraph, Table
    story = [PageBreak(), Paragraph("4. Indicateurs déclaratifs", st["h1"]),
             Paragraph("Déclarations de l'ARS (O/N) aux dates de mesure du semestre, avec la pièce justificative "
                       "référencée et sa date.", st["note"])]
    if not content["declaratives"]:
        return story + [Paragraph("Aucun indicateur déclaratif publié pour ce semestre.", st["body"])]
    rows = [["Indic.", "Libellé", "Mesure au", "Déclaré", "Statut", "Pièce justificative", "Date pièce"]]
    for d in content["declaratives"]:
        rows.append([d["indicator_id"], Paragraph(_esc(d["label"]), st["cell"]), fr.day(d["measure_date"]),
                     _or_dash(d["attainment_label"]), _or_dash(d["status_label"]),
                     Paragraph(_esc(_or_dash(d["evidence_reference"])), st["cell"]), fr.day(d["evidence_date"])])
    widths = [10 * MM, 50 * MM, 15 * MM, 15 * MM, 16 * MM, 0, 15 * MM]
    widths[5] = BODY_WIDTH - sum(widths)
    return story + [Table(rows, colWidths=widths, repeatRows=1, style=_table_style())]


def _quality_section(content: dict, st: dict) -> list:
    """The gate's counts, warnings and overrides (``info["quality"]``) and the quarantine in force. What a check
    means is written in English by the quality suites, for engineers: the report, for the ministry, names the check
    and the table and sends the reader to the quality page; the quarantine prints the French rule and treatment, the
    column of an example (the reason of each line is in quarantine_report.csv)."""
    from reportlab.platypus import Paragraph, Table
    story = [Paragraph("5. Qualité des données", st["h1"])]
    q = content["quality"]
    if q is None:
        story.append(Paragraph("Résumé de la qualité non fourni avec cette publication.", st["body"]))
    else:
        counts = [("Fichiers ingérés", q["files_ingested"]), ("Fichiers refusés", q["files_refused"]),
                  ("Lignes chargées", q["rows_loaded"]), ("Lignes en quarantaine (rejetées)", q["rows_quarantined"]),
                  ("Valeurs signalées (chargées, marquées invalides)", q["values_flagged"])]
        story.append(Table([[label, fr.number(v) if v is not None else "non renseigné"] for label, v in counts],
                           colWidths=[80 * MM, 30 * MM], hAlign="LEFT",
                           style=_table_style([("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                               ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                                               ("BACKGROUND", (0, 0), (-1, -1), None)])))
        story.append(Paragraph(f"Avertissements du contrôle qualité ({fr.number(len(q['warnings']))})", st["h2"]))
        if q["warnings"]:
            story.append(Paragraph("Chaque avertissement est désigné par l'identifiant du contrôle et la table "
                                   "contrôlée ; ce que signifie chaque contrôle et ce qu'il faut faire sont décrits "
                                   "sur la page qualité de la publication (quality/index.html) et dans "
                                   "docs/quality.md.", st["note"]))
            rows = [["Contrôle", "Table contrôlée"]] + [
                [Paragraph(_esc(w["id"]), st["cell"]), Paragraph(_esc(w["table"]), st["cell"])]
                for w in q["warnings"]]
            story.append(Table(rows, colWidths=[90 * MM, BODY_WIDTH - 90 * MM], repeatRows=1,
                               style=_table_style()))
        else:
            story.append(Paragraph("Aucun avertissement.", st["body"]))
        story.append(Paragraph(f"Dérogations au contrôle qualité ({fr.number(len(q['overrides']))})", st["h2"]))
        if q["overrides"]:
            rows = [["Contrôle", "Motif", "Par", "Le"]] + [
                [Paragraph(_esc(o["id"]), st["cell"]), Paragraph(_esc(o["reason"]), st["cell"]),
                 Paragraph(_esc(o["by"]), st["cell"]), Paragraph(_esc(fr.published_at(o["at"])), st["cell"])]
                for o in q["overrides"]]
            story.append(Table(rows, colWidths=[40 * MM, 80 * MM, 30 * MM, BODY_WIDTH - 150 * MM], repeatRows=1,
                               style=_table_style()))
        else:
            story.append(Paragraph("Aucune dérogation.", st["body"]))
    quarantine = content["quarantine"]
    story.append(Paragraph(f"Quarantaine des livraisons en vigueur ({fr.plural(len(quarantine), 'ligne')} de "
                           "résumé : une par table, fichier, règle et sévérité)", st["h2"]))
    if quarantine:
        head = ["Table", "Fichier", "Règle", "Traitement", "Lignes", "1re ligne", "Colonne (exemple)"]
        rows = [head] + [
            [Paragraph(_esc(r["table_name"]), st["cell_small"]), Paragraph(_esc(r["file_name"]), st["cell_small"]),
             Paragraph(_esc(r["rule_label"]), st["cell_small"]), Paragraph(_esc(r["severity_label"]), st["cell_small"]),
             fr.number(r["n_rows"]), fr.number(r["first_line"]),
             Paragraph(_esc(_or_dash(r["example_column"])), st["cell_small"])] for r in quarantine]
        widths = [24 * MM, 46 * MM, 30 * MM, 24 * MM, 11 * MM, 11 * MM]
        widths.append(BODY_WIDTH - sum(widths))
        story.append(Table(rows, colWidths=widths, repeatRows=1,
                           style=_table_style([("ALIGN", (4, 1), (5, -1), "RIGHT"),
                                               ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 6.3)])))
    else:
        story.append(Paragraph("Aucune ligne en quarantaine.", st["body"]))
    return story


# --------------------------------------------------------------------------------------------------------
# Title page, footer, the document
# --------------------------------------------------------------------------------------------------------

def _title_page(content: dict, published_at, digest: str, st: dict) -> list:
    from reportlab.platypus import Paragraph, Spacer, Table
    end, (q1, q2) = content["semester_end"], content["quarters"]
    counts = ", ".join(f"{fr.number(len(b['items']))} {b['scope_label'] or b['scope_type']}"
                       for b in content["structures"])
    mono = [("FONT", (1, 5), (1, 6), "Courier", 7.5)]
    rows = [
        ["Région", _region_text(content)],
        ["Semestre", f"{semester_label(end)} ({semester_code(end)}), arrêté au {fr.day(end)}"],
        ["Dates de mesure couvertes", f"{fr.day(q1)} ({quarter_label(q1)}) et {fr.day(q2)} ({quarter_label(q2)})"],
        ["Date de publication", fr.published_at(published_at) if published_at else "non renseignée"],
        ["Version du code", content["code_version"] or "non renseignée"],
        ["SHA-256 des résultats publiés\n(indicator_results.csv)", content["results_sha256"] or "non renseigné"],
        ["Empreinte du contenu du rapport\n(SHA-256)", digest],
        ["Structures rapportées", counts or "aucune"],
    ]
    table = Table(rows, colWidths=[55 * MM, BODY_WIDTH - 55 * MM], style=_table_style(
        [("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8.5), ("FONT", (1, 0), (1, -1), "Helvetica", 8.5),
         ("BACKGROUND", (0, 0), (-1, -1), None), ("TOPPADDING", (0, 0), (-1, -1), 4),
         ("BOTTOMPADDING", (0, 0), (-1, -1), 4)] + mono))
    return [Spacer(1, 30 * MM),
            Paragraph("Rapport semestriel des indicateurs d'usage", st["title"]),
            Paragraph("Programmes E-parcours (DAC, CPTS) et ESMS Numérique — transmission semestrielle au "
                      "ministère", st["subtitle"]),
            table, Spacer(1, 8 * MM),
            Paragraph("Contenu : 1. synthèse régionale à la fin du semestre et cibles en vigueur avec leur source ; "
                      "2. évolution trimestrielle de chaque indicateur ; 3. résultats par structure (DAC, CPTS, "
                      "ESMS) aux deux dates de mesure du semestre ; 4. indicateurs déclaratifs et pièces "
                      "justificatives ; 5. qualité des données.", st["body"]),
            Spacer(1, 3 * MM),
            Paragraph("Les chiffres, cibles, libellés et citations sont imprimés tels que la publication de "
                      "l'entrepôt les écrit (fichier DuckDB des analystes, schéma publish) : un taux est le rapport "
                      "exact numérateur / dénominateur arrondi au dixième le plus proche (1 / 16 = 6,3 %), virgule "
                      "décimale, espace pour les milliers. L'empreinte du contenu change dès qu'un chiffre, une "
                      "cible, une déclaration ou le résumé qualité de ce rapport change.", st["note"])]


def _canvas_class(footer_left: str):
    """A canvas that knows the page count when it saves: « page n / N » on every page."""
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7)
                self.setFillColor(colors.Color(0.35, 0.35, 0.35))
                self.drawString(PAGE_MARGIN, 7 * MM, footer_left)
                self.drawRightString(210 * MM - PAGE_MARGIN, 7 * MM, f"page {number} / {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def render(content: dict, published_at, digest: str, path: Path) -> None:
    """Lay ``content`` out into the PDF ``path`` (reportlab's invariant mode: same inputs, same bytes)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate
    st = _styles()
    end = content["semester_end"]
    region = _region_text(content)
    story = (_title_page(content, published_at, digest, st) + [PageBreak()] + _summary_section(content, st)
             + [PageBreak()] + _charts_section(content, st) + _structures_section(content, st)
             + _declaratives_section(content, st) + _quality_section(content, st))
    doc = BaseDocTemplate(
        str(path), pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN, title=f"Rapport semestriel {region} {semester_code(end)}",
        author="eparcours-warehouse", subject=f"Empreinte du contenu (SHA-256) {digest}",
        keywords=[f"content-sha256:{digest}", f"semester:{semester_code(end)}"], invariant=1, pageCompression=1,
        lang="fr-FR")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_canvas_class(
        f"Rapport semestriel — région {region} — {semester_label(end)} ({semester_code(end)})"))
