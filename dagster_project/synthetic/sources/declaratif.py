"""declaratif/: the declarative E-parcours indicators, one file per quarter end, with their evidence."""
from __future__ import annotations

from datetime import date

import numpy as np

from ...ingestion.specs import DECLARATIVE_INDICATORS
from ..calendar import compact
from ..common import Output, month_rng, str_pool
from ..universe import Universe

# (indicator, date from which it is met, evidence, comment)
EVIDENCE = {
    "1.1": (date(2021, 4, 1), "Politique_identitovigilance_regionale_v{v}.pdf", "Politique régionale d'identitovigilance validée en comité stratégique"),
    "1.2": (date(2021, 1, 1), "Recette_champ_INS_outil_coordination.pdf", "Champ INS présent et alimenté par le téléservice INSi"),
    "2.1": (date(2022, 1, 1), "Charte_securite_SI_professionnels_v{v}.pdf", "Charte SSI diffusée aux membres des DAC et des CPTS"),
    "2.2": (date(2021, 7, 1), "Note_information_usagers_RGPD.pdf", "Note d'information remise à l'ouverture du dossier ; DPO joignable"),
    "3.1": (date(2021, 1, 1), "Convention_ROR_{y}.pdf", "ROR déployé dans la région"),
    "4.1": (date(2021, 10, 1), "Attestation_compatibilite_DMP.pdf", "Alimentation du DMP testée en production"),
    "5.1": (date(2021, 1, 1), "Attestation_compatibilite_MSSante.pdf", "Messagerie MSSanté intégrée à l'outil"),
    "6.6": (date(2022, 7, 1), "Tableau_de_bord_DAC_{y}T{q}.xlsx", "Tableau de bord trimestriel présenté en comité de pilotage"),
}


def declarations(u: Universe, k: int, d: date) -> list[Output]:
    rng = month_rng(u.seed, "declaratif", k)
    ind, valeur, just, comm = [], [], [], []
    for code in DECLARATIVE_INDICATORS:
        since, evidence, comment = EVIDENCE[code]
        met = d >= since or rng.random() < 0.1
        ind.append(code)
        valeur.append("O" if met else "N")
        q = (d.month - 1) // 3 + 1
        just.append(f"GED-ARS{u.region}/{d.year}/" + evidence.format(v=1 + (d.year - 2021), y=d.year, q=q) if met else "")
        comm.append(comment if met else ("Travaux en cours ; échéance prévue au trimestre suivant" if rng.random() < 0.7 else ""))
    n = len(ind)
    cols = [str_pool(ind), str_pool([d.isoformat()] * n), str_pool(valeur), str_pool(just), str_pool(comm)]
    assert np.all([len(x) == n for x in cols])
    return [Output("declaratif", f"declaratif/declaratif_{compact(d)}.csv", cols)]
