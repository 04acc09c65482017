"""Code lists read from ``seeds/`` at run time, and the small vocabularies the generator draws from.

The real code lists (FINESS categories, ROR codes, DMP type and format codes, départements) come from
the seeds; only words that have no public list here (street and place names, first and last names,
unit names) are written below. Names are built from those words at random, so every name is invented;
the places look French because the words are.
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def upper_plain(s: str) -> str:
    """FINESS style: upper case, no accents."""
    return strip_accents(s).upper()


@dataclass(frozen=True)
class Seeds:
    categories: dict[str, str]  # TRE_R66 code -> label
    perimetre: dict[str, dict[str, str]]  # categetab -> row of ref_finess_categetab_ror_perimetre
    departements: list[dict[str, str]]  # dep;reg;cheflieu;libelle
    outremer: list[dict[str, str]]
    r207: list[str]
    r227: list[str]
    r213_j19: list[str]
    r213_retired: list[str]
    j17: list[str]
    j07: list[str]
    j10: list[str]


@lru_cache(maxsize=1)
def seeds() -> Seeds:
    r213 = read_seed("ref_tre_r213_mode_prise_en_charge")
    return Seeds(
        categories={r["code"]: r["display"] for r in read_seed("ref_tre_r66_categorie_etablissement")},
        perimetre={r["categetab"]: r for r in read_seed("ref_finess_categetab_ror_perimetre")},
        departements=read_seed("ref_departements"),
        outremer=read_seed("ref_finess_departement_outremer"),
        r207=[r["code"] for r in read_seed("ref_tre_r207_type_organisation_interne")],
        r227=[r["code"] for r in read_seed("ref_tre_r227_champ_activite") if not r["date_fin"]],
        r213_j19=[r["code"] for r in r213 if r["in_JDV_J19_ModePriseEnCharge_ROR"] == "O"],
        r213_retired=[r["code"] for r in r213 if r["in_JDV_J19_ModePriseEnCharge_ROR"] != "O"],
        j17=[r["code"] for r in read_seed("ref_jdv_j17_activite_operationnelle_ror")],
        j07=[r["code"] for r in read_seed("ref_jdv_j07_xds_type_code")],
        j10=[r["code"] for r in read_seed("ref_jdv_j10_xds_format_code")],
    )


@dataclass(frozen=True)
class Departement:
    insee: str  # INSEE code: 01…95, 2A, 2B, 971…976
    finess: str  # FINESS `departement` field: same, or 9A…9J overseas
    prefix: str  # first characters of FINESS numbers: 01, 2A, 9701, 9805…
    region: str
    libelle: str  # proper case, accents (INSEE)
    libelle_finess: str  # FINESS style (upper case)
    postal: str  # first digits of postal codes: 01, 20, 971…


def departements() -> list[Departement]:
    s = seeds()
    om = {r["insee_dep"]: r for r in s.outremer}
    prefix_om = {"9A": "9701", "9B": "9702", "9C": "9703", "9D": "9704", "9E": "9705", "9F": "9805", "9J": "9806"}
    out = []
    for r in s.departements:
        dep = r["dep"]
        if dep in om:
            fin = om[dep]["finess_departement"]
            out.append(Departement(dep, fin, prefix_om[fin], r["reg"], r["libelle"],
                                   om[dep]["libdepartement_finess"], dep))
        else:
            out.append(Departement(dep, dep, dep, r["reg"], r["libelle"], upper_plain(r["libelle"]),
                                   "20" if dep in ("2A", "2B") else dep))
    return out


# --------------------------------------------------------------------------------- FINESS categories
# (categetab, weight in the structure universe, EP-3.2 family, capacity range, mean stay in days)
# family: MCO (sanitaire MCO/SSR/PSY), HAD, USLD, MS (médico-social), VILLE, COORD, OTHER (outside the ROR)
CATEGORY_MIX: tuple[tuple[str, float, str], ...] = (
    ("101", 0.25, "MCO"), ("355", 2.6, "MCO"), ("106", 1.2, "MCO"), ("109", 2.0, "MCO"),
    ("128", 0.9, "MCO"), ("129", 0.8, "MCO"), ("365", 0.6, "MCO"), ("122", 0.3, "MCO"),
    ("131", 0.05, "MCO"), ("292", 0.4, "MCO"), ("156", 3.2, "MCO"), ("425", 1.8, "MCO"),
    ("141", 0.5, "MCO"), ("146", 0.8, "MCO"), ("161", 0.2, "MCO"),
    ("127", 0.6, "HAD"), ("362", 1.0, "USLD"),
    ("500", 15.0, "MS"), ("202", 4.0, "MS"), ("207", 1.2, "MS"), ("354", 4.0, "MS"), ("209", 0.8, "MS"),
    ("460", 6.0, "MS"), ("183", 2.8, "MS"), ("182", 3.5, "MS"), ("186", 0.9, "MS"), ("188", 0.4, "MS"),
    ("255", 1.4, "MS"), ("437", 1.8, "MS"), ("246", 2.8, "MS"), ("252", 2.5, "MS"), ("382", 2.6, "MS"),
    ("446", 2.0, "MS"), ("445", 1.0, "MS"), ("189", 0.8, "MS"), ("190", 0.7, "MS"), ("197", 1.0, "MS"),
    ("178", 0.3, "MS"), ("165", 0.4, "MS"), ("180", 0.3, "MS"),
    ("603", 7.0, "VILLE"), ("124", 4.0, "VILLE"),
    ("223", 2.0, "OTHER"), ("620", 8.0, "OTHER"), ("611", 1.0, "OTHER"), ("462", 0.3, "OTHER"),
    ("340", 0.4, "OTHER"),
)

# ESMS of the ESMS Numérique programme: (capacity low, high, mean stay in days)
ESMS_PROFILE: dict[str, tuple[int, int, int]] = {
    "500": (50, 110, 900), "202": (30, 80, 1500), "207": (10, 30, 365), "354": (30, 90, 200),
    "209": (40, 120, 300), "460": (60, 220, 500), "183": (30, 90, 1400), "182": (25, 70, 900),
    "186": (25, 60, 800), "188": (15, 40, 1500), "255": (30, 60, 3000), "437": (25, 50, 2500),
    "246": (40, 110, 3000), "252": (20, 50, 2500), "382": (20, 50, 2800), "446": (30, 90, 900),
    "445": (20, 50, 700), "189": (80, 250, 500), "190": (60, 180, 450),
}
ESMS_24H = {"500", "202", "255", "437", "252", "382", "183", "186", "188"}  # residential: night shifts
ESMS_MEDICALISED = {"500", "354", "209", "255", "437", "445", "190", "188"}

# Agrégats (categagretab) by category: indicative codes and labels, as in the etalab file.
AGREGATS: dict[str, tuple[str, str]] = {
    "101": ("1101", "Centres Hospitaliers Régionaux"), "355": ("1102", "Centres Hospitaliers"),
    "106": ("1102", "Centres Hospitaliers"), "292": ("1103", "Etablissements de Lutte contre les Maladies Mentales"),
    "161": ("1103", "Etablissements de Lutte contre les Maladies Mentales"),
    "109": ("1104", "Etablissements de Soins de Suite et de Réadaptation"),
    "362": ("1105", "Etablissements de Soins de Longue Durée"),
    "128": ("1106", "Etablissements de Soins de Courte Durée"), "129": ("1106", "Etablissements de Soins de Courte Durée"),
    "365": ("1106", "Etablissements de Soins de Courte Durée"), "122": ("1106", "Etablissements de Soins de Courte Durée"),
    "131": ("1107", "Centres de Lutte contre le Cancer"), "156": ("1201", "Etablissements de Soins Psychiatriques Ambulatoires"),
    "425": ("1201", "Etablissements de Soins Psychiatriques Ambulatoires"), "141": ("1203", "Dialyse Ambulatoire"),
    "146": ("1203", "Dialyse Ambulatoire"), "127": ("1204", "Hospitalisation à Domicile"),
    "223": ("2202", "Etablissements de PMI et de Planification Familiale"), "124": ("2204", "Centres de Santé"),
    "603": ("2205", "Maisons de Santé"), "604": ("2206", "Structures de Coordination"),
    "606": ("2206", "Structures de Coordination"), "620": ("3101", "Pharmacies d'Officine"),
    "611": ("3201", "Laboratoires de Biologie Médicale"),
    "500": ("4401", "Etablissements d'Hébergement pour Personnes Âgées"),
    "202": ("4401", "Etablissements d'Hébergement pour Personnes Âgées"),
    "207": ("4403", "Services et Accueils de jour pour Personnes Âgées"),
    "354": ("4602", "Services de Soins Infirmiers à Domicile"), "209": ("4602", "Services de Soins Infirmiers à Domicile"),
    "460": ("4601", "Services d'Aide à Domicile"),
    "183": ("4101", "Etablissements d'Education Spéciale pour Enfants Handicapés"),
    "186": ("4101", "Etablissements d'Education Spéciale pour Enfants Handicapés"),
    "188": ("4101", "Etablissements d'Education Spéciale pour Enfants Handicapés"),
    "182": ("4106", "Services à Domicile ou Ambulatoires pour Handicapés"),
    "189": ("4106", "Services à Domicile ou Ambulatoires pour Handicapés"),
    "190": ("4106", "Services à Domicile ou Ambulatoires pour Handicapés"),
    "446": ("4106", "Services à Domicile ou Ambulatoires pour Handicapés"),
    "445": ("4106", "Services à Domicile ou Ambulatoires pour Handicapés"),
    "246": ("4103", "Etablissements et Services de Travail Protégé"),
    "255": ("4104", "Etablissements d'Hébergement pour Adultes Handicapés"),
    "437": ("4104", "Etablissements d'Hébergement pour Adultes Handicapés"),
    "252": ("4104", "Etablissements d'Hébergement pour Adultes Handicapés"),
    "382": ("4104", "Etablissements d'Hébergement pour Adultes Handicapés"),
    "197": ("4301", "Etablissements et Services pour Personnes en Difficulté Spécifique"),
    "178": ("4301", "Etablissements et Services pour Personnes en Difficulté Spécifique"),
    "165": ("4301", "Etablissements et Services pour Personnes en Difficulté Spécifique"),
    "180": ("4301", "Etablissements et Services pour Personnes en Difficulté Spécifique"),
    "462": ("4605", "Etablissements et services multi-clientèles"), "340": ("4608", "Protection des majeurs"),
}

APE: dict[str, str] = {
    "MCO": "8610Z", "HAD": "8610Z", "USLD": "8610Z", "500": "8710A", "202": "8730A", "207": "8810A",
    "354": "8810A", "209": "8810A", "460": "8810A", "246": "8810C", "603": "8621Z", "124": "8621Z",
    "620": "4773Z", "611": "8690B", "MS": "8720A", "COORD": "8899B", "OTHER": "8899B", "VILLE": "8621Z",
}

# (code, label) of "mode de fixation des tarifs"
MFT_PUBLIC_HOSP = ("03", "ARS établissements Publics de santé dotation globale")
MFT_PRIVATE_HOSP = ("07", "ARS établissements de santé non financés dotation globale")
MFT_MS = (("40", "ARS/PCD, Tarif global, habilité aide sociale, recours PUI"),
          ("45", "ARS/PCD, tarif partiel, habilité aide sociale"),
          ("57", "DGS ARS & hébergement PCD - sous CPOM"), ("08", "Président du Conseil Départemental"),
          ("34", "ARS, Tarification sous dotation globale"))
MFT_OTHER = (("01", "Etablissement Tarif Libre"), ("99", "Indéterminé"))

# ----------------------------------------------------------------------------------- name templates
# (short FINESS rs, long rslongue, ROR proper-case name); {C}/{c} commune, {N}/{n} a place name
NAME_TEMPLATES: dict[str, tuple[str, str, str]] = {
    "101": ("CHU DE {C}", "CENTRE HOSPITALIER UNIVERSITAIRE DE {C}", "CHU de {c}"),
    "355": ("CH DE {C}", "CENTRE HOSPITALIER DE {C}", "Centre hospitalier de {c}"),
    "106": ("CH {C}", "CENTRE HOSPITALIER DE PROXIMITE DE {C}", "Hôpital de proximité de {c}"),
    "109": ("SSR {N}", "CENTRE DE SOINS DE SUITE ET DE READAPTATION {N}", "Centre de soins médicaux et de réadaptation {n}"),
    "128": ("CLINIQUE {N}", "CLINIQUE CHIRURGICALE {N} {C}", "Clinique {n}"),
    "129": ("CLINIQUE {N}", "CLINIQUE MEDICALE {N}", "Clinique médicale {n}"),
    "365": ("POLYCLINIQUE {N}", "POLYCLINIQUE {N} {C}", "Polyclinique {n}"),
    "122": ("MATERNITE {N}", "CLINIQUE D'OBSTETRIQUE {N}", "Maternité {n}"),
    "131": ("CLCC {C}", "CENTRE DE LUTTE CONTRE LE CANCER DE {C}", "Centre de lutte contre le cancer de {c}"),
    "292": ("CHS {C}", "CENTRE HOSPITALIER SPECIALISE DE {C}", "Centre hospitalier spécialisé de {c}"),
    "156": ("CMP {C}", "CENTRE MEDICO-PSYCHOLOGIQUE DE {C}", "Centre médico-psychologique de {c}"),
    "425": ("CATTP {C}", "CENTRE D'ACCUEIL THERAPEUTIQUE A TEMPS PARTIEL {C}", "CATTP de {c}"),
    "141": ("CENTRE DIALYSE {C}", "CENTRE D'HEMODIALYSE DE {C}", "Centre de dialyse de {c}"),
    "146": ("UAD {C}", "UNITE D'AUTODIALYSE DE {C}", "Unité d'autodialyse de {c}"),
    "161": ("MAISON DE SANTE {N}", "MAISON DE SANTE POUR MALADIES MENTALES {N}", "Maison de santé {n}"),
    "127": ("HAD {C}", "HOSPITALISATION A DOMICILE {C}", "HAD de {c}"),
    "362": ("USLD {N}", "UNITE DE SOINS DE LONGUE DUREE {N}", "USLD {n}"),
    "500": ("EHPAD {N}", "EHPAD {N}", "EHPAD {n}"),
    "202": ("RESIDENCE AUTONOMIE {N}", "RESIDENCE AUTONOMIE {N} {C}", "Résidence autonomie {n}"),
    "207": ("ACCUEIL DE JOUR {N}", "ACCUEIL DE JOUR ALZHEIMER {N}", "Accueil de jour {n}"),
    "354": ("SSIAD {C}", "SERVICE DE SOINS INFIRMIERS A DOMICILE DE {C}", "SSIAD de {c}"),
    "209": ("SPASAD {C}", "SERVICE POLYVALENT D'AIDE ET DE SOINS A DOMICILE {C}", "SPASAD de {c}"),
    "460": ("SAAD {N}", "SERVICE D'AIDE ET D'ACCOMPAGNEMENT A DOMICILE {N}", "Service d'aide à domicile {n}"),
    "183": ("IME {N}", "INSTITUT MEDICO-EDUCATIF {N}", "Institut médico-éducatif {n}"),
    "182": ("SESSAD {C}", "SERVICE D'EDUCATION SPECIALE ET DE SOINS A DOMICILE {C}", "SESSAD de {c}"),
    "186": ("ITEP {N}", "INSTITUT THERAPEUTIQUE EDUCATIF ET PEDAGOGIQUE {N}", "ITEP {n}"),
    "188": ("EEAP {N}", "ETABLISSEMENT POUR ENFANTS POLYHANDICAPES {N}", "Établissement pour enfants polyhandicapés {n}"),
    "255": ("MAS {N}", "MAISON D'ACCUEIL SPECIALISEE {N}", "Maison d'accueil spécialisée {n}"),
    "437": ("FAM {N}", "FOYER D'ACCUEIL MEDICALISE {N}", "Foyer d'accueil médicalisé {n}"),
    "246": ("ESAT {N}", "ETABLISSEMENT ET SERVICE D'AIDE PAR LE TRAVAIL {N}", "ESAT {n}"),
    "252": ("FOYER D'HEBERGEMENT {N}", "FOYER D'HEBERGEMENT POUR ADULTES HANDICAPES {N}", "Foyer d'hébergement {n}"),
    "382": ("FOYER DE VIE {N}", "FOYER DE VIE {N} {C}", "Foyer de vie {n}"),
    "446": ("SAVS {C}", "SERVICE D'ACCOMPAGNEMENT A LA VIE SOCIALE {C}", "SAVS de {c}"),
    "445": ("SAMSAH {C}", "SERVICE D'ACCOMPAGNEMENT MEDICO-SOCIAL ADULTES HANDICAPES {C}", "SAMSAH de {c}"),
    "189": ("CMPP {C}", "CENTRE MEDICO-PSYCHO-PEDAGOGIQUE DE {C}", "CMPP de {c}"),
    "190": ("CAMSP {C}", "CENTRE D'ACTION MEDICO-SOCIALE PRECOCE DE {C}", "CAMSP de {c}"),
    "197": ("CSAPA {C}", "CENTRE DE SOINS D'ACCOMPAGNEMENT ET DE PREVENTION EN ADDICTOLOGIE {C}", "CSAPA de {c}"),
    "178": ("CAARUD {C}", "CAARUD {C}", "CAARUD de {c}"),
    "165": ("ACT {C}", "APPARTEMENTS DE COORDINATION THERAPEUTIQUE {C}", "Appartements de coordination thérapeutique de {c}"),
    "180": ("LHSS {C}", "LITS HALTE SOINS SANTE {C}", "Lits halte soins santé de {c}"),
    "603": ("MSP {C}", "MAISON DE SANTE PLURIPROFESSIONNELLE DE {C}", "Maison de santé pluriprofessionnelle de {c}"),
    "124": ("CENTRE DE SANTE {N}", "CENTRE DE SANTE {N} {C}", "Centre de santé {n}"),
    "604": ("CPTS {T}", "COMMUNAUTE PROFESSIONNELLE TERRITORIALE DE SANTE {T}", "CPTS {t}"),
    "606": ("DAC {T}", "DISPOSITIF D'APPUI A LA COORDINATION {T}", "DAC {t}"),
    "223": ("PMI {C}", "CENTRE DE PROTECTION MATERNELLE ET INFANTILE DE {C}", "PMI de {c}"),
    "620": ("PHARMACIE {N}", "PHARMACIE {N}", "Pharmacie {n}"),
    "611": ("LBM {N}", "LABORATOIRE DE BIOLOGIE MEDICALE {N}", "Laboratoire {n}"),
    "462": ('LIEU DE VIE "{N}"', 'LIEU DE VIE ET D\'ACCUEIL "{N}"', 'Lieu de vie "{n}"'),
    "340": ("SERVICE MJPM {C}", "SERVICE MANDATAIRE JUDICIAIRE A LA PROTECTION DES MAJEURS {C}", "Service MJPM de {c}"),
}

# Place names: (proper case with accents). FINESS forms are derived with upper_plain().
PLACE_NAMES = (
    "Les Tilleuls", "Les Érables", "Le Clos Fleuri", "La Roseraie", "Les Genêts", "Bel Air", "Les Prés Verts",
    "La Bergerie", "Les Chênes", "Le Prieuré", "Les Myosotis", "La Châtaigneraie", "Les Glycines", "Le Belvédère",
    "Les Lilas", "La Source", "Les Marronniers", "Saint-Joseph", "Notre-Dame", "Les Cèdres", "Le Verger",
    "Les Charmilles", "La Sérénité", "Les Hirondelles", "Le Parc", "Les Jardins d'Automne", "La Providence",
    "Sainte-Élisabeth", "Les Alpilles", "Le Vallon", "Les Peupliers", "La Maisonnée", "Les Sources", "Le Tremplin",
    "Les Quatre Saisons", "Le Mont Blanc", "Les Écureuils", "La Clairière", "L'Orée du Bois", "Les Cigales",
    "Le Moulin", "Les Bruyères", "La Pommeraie", "Les Coquelicots", "Le Pré Fleuri", "Les Iris", "La Chênaie",
    "Saint-François", "Le Val Fleuri", "Les Capucines", "La Colombière", "Les Oliviers", "Pierre Loti",
    "Marie Curie", "Jean Moulin", "Victor Hugo", "Louis Pasteur", "Émile Zola", "Les Mésanges", "Le Château",
)

COMMUNE_SAINTS = (
    "Martin", "Genis", "Just", "Priest", "Étienne", "Germain", "Julien", "Maurice", "Denis", "Laurent",
    "Chamond", "Flour", "Agrève", "Paul", "Pierre", "Jean", "Romain", "Didier", "Marcellin", "Galmier",
    "Bonnet", "Symphorien", "Vallier", "Égrève", "Ismier", "Rambert", "Clair", "Sorlin", "Amour", "Vincent",
)
COMMUNE_ROOTS = (
    "Villefranche", "Bourg", "Montbrison", "Chambon", "Roche", "Fontaine", "Châteauneuf", "Beaurepaire",
    "Montagny", "Villeneuve", "Belleville", "Rochefort", "Montmélian", "Champagne", "Marcilly",
    "Charbonnières", "Brignais", "Tassin", "Écully", "Vaulx", "Vénissieux", "Feyzin", "Rillieux", "Meximieux",
    "Ambérieu", "Trévoux", "Oyonnax", "Nantua", "Belley", "Gex", "Viriat", "Privas", "Aubenas", "Annonay",
    "Tournon", "Vals", "Riom", "Issoire", "Thiers", "Ambert", "Yssingeaux", "Brioude", "Monistrol", "Moulins",
    "Montluçon", "Vichy", "Gannat", "Aurillac", "Mauriac", "Murat", "Crest", "Die", "Nyons", "Pierrelatte",
    "Romans", "Tain", "Voiron", "Vienne", "Bourgoin", "Crémieu", "Sassenage", "Cluses", "Sallanches",
    "Thonon", "Évian", "Rumilly", "Albertville", "Moûtiers", "Modane", "Ugine", "Chalon", "Mâcon", "Cluny",
    "Pontarlier", "Lons", "Dole", "Autun", "Beaune", "Nuits", "Semur", "Avallon", "Cosne", "Decize",
    "Fougères", "Vitré", "Redon", "Lamballe", "Loudéac", "Pontivy", "Quimperlé", "Landerneau", "Morlaix",
    "Cholet", "Saumur", "Segré", "Ancenis", "Châteaubriant", "Challans", "Luçon", "Fontenay", "Parthenay",
)
COMMUNE_SUFFIXES = (
    "", "", "", "", "", "-sur-Loire", "-en-Bresse", "-les-Bains", "-sur-Rhône", "-le-Château", "-sur-Saône",
    "-la-Forêt", "-le-Haut", "-les-Alpes", "-en-Velay", "-sur-Isère", "-la-Rivière", "-de-Lyon", "-le-Vieux",
    "-les-Mines", "-sur-Allier", "-en-Forez", "-du-Lac",
)
CARDINAL = ("Nord", "Sud", "Est", "Ouest", "Centre", "Haut", "Bas", "Val")

STREET_TYPES = (("R", "rue"), ("AV", "avenue"), ("BD", "boulevard"), ("RTE", "route"), ("CHE", "chemin"),
                ("PL", "place"), ("ALL", "allée"), ("IMP", "impasse"), ("QUAI", "quai"), ("CRS", "cours"))
STREET_NAMES = (
    "de Paris", "de la République", "Victor Hugo", "Jean Jaurès", "du Général de Gaulle", "Pasteur",
    "des Écoles", "de la Gare", "du Stade", "des Acacias", "Aristide Briand", "Gambetta", "de l'Hôpital",
    "du Onze Novembre", "des Tilleuls", "Carnot", "Émile Zola", "de la Paix", "Jean Moulin", "du Château",
    "Saint-Exupéry", "des Lilas", "de la Liberté", "du Moulin", "Albert Camus", "des Vignes", "de Verdun",
    "Clemenceau", "du Lac", "Marcel Pagnol", "Jules Ferry", "de la Fontaine", "des Roses", "Voltaire",
)
LIEUX_DITS = ("LE BOURG", "ZA DES PLATTES", "LIEU DIT LES GRANGES", "ZI NORD", "LE HAMEAU", "LES COMBES",
              "CS 20001", "BP 45", "ZAC DU PARC", "DOMAINE DE LA COMBE")

FIRST_NAMES = (
    "Marie", "Jean", "Nathalie", "Pierre", "Isabelle", "Michel", "Sylvie", "Philippe", "Catherine", "Alain",
    "Françoise", "Nicolas", "Sophie", "Christophe", "Valérie", "Stéphane", "Sandrine", "Laurent", "Céline",
    "Julien", "Hélène", "Frédéric", "Élodie", "David", "Aurélie", "Thomas", "Camille", "Sébastien", "Émilie",
    "Olivier", "Chloé", "Mathieu", "Léa", "Antoine", "Manon", "Benoît", "Inès", "Hugo", "Clémence", "Jérôme",
    "Agnès", "François", "Maëlle", "Rémi", "Noémie", "Grégoire", "Lucie", "Yannick", "Anaïs", "Raphaël",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour",
    "Blanchard", "Gillet", "Chevallier", "Fabre", "Brun", "Barbier", "Arnaud", "Giraud", "Rolland",
)

# Professions of the coordination tool and the RPPS: (label, RPPS code or None, share)
PROFESSIONS: tuple[tuple[str, str | None, float], ...] = (
    ("Médecin", "10", 0.30), ("Infirmier", "60", 0.30), ("Pharmacien", "21", 0.10),
    ("Masseur-kinésithérapeute", "70", 0.12), ("Sage-femme", "50", 0.03), ("Chirurgien-dentiste", "40", 0.04),
    ("Orthophoniste", "91", 0.03), ("Psychologue", None, 0.03), ("Assistant de service social", None, 0.05),
)
SAVOIR_FAIRE = {"10": ("SM54", "Médecine générale (SM)"), "21": ("", ""), "60": ("", "")}

# ROR unit names by family
UE_NAMES: dict[str, tuple[str, ...]] = {
    "MCO": ("Médecine polyvalente", "Chirurgie orthopédique", "Cardiologie", "Pneumologie", "Gériatrie aiguë",
            "Chirurgie viscérale", "Urgences adultes", "Pédiatrie", "Maternité", "Neurologie", "Oncologie",
            "Réanimation polyvalente", "Soins de suite polyvalents", "Rééducation neurologique", "Psychiatrie adulte",
            "Hôpital de jour", "Consultations externes", "Endocrinologie", "Gastro-entérologie", "Néphrologie",
            "Unité de soins palliatifs", "Addictologie", "Court séjour gériatrique", "Médecine interne"),
    "HAD": ("HAD polyvalente", "HAD rééducation", "HAD périnatalité", "HAD soins palliatifs"),
    "USLD": ("Unité de soins de longue durée", "USLD Alzheimer"),
    "MS": ("Hébergement permanent", "Hébergement temporaire", "Accueil de jour", "Unité protégée",
           "Pôle d'activités et de soins adaptés", "Accompagnement à domicile", "Section d'internat",
           "Semi-internat", "Atelier", "Service d'accompagnement"),
    "VILLE": ("Consultations de médecine générale", "Soins infirmiers", "Consultations spécialisées",
              "Centre de soins non programmés"),
}
CONTACT_FONCTIONS = ("Accueil", "Secrétariat médical", "Cadre de santé", "Standard", "Direction", "Infirmier coordinateur")
CONTACT_NATURES = ("Secrétariat", "Standard", "Contact direct", "Astreinte")
CONTACT_CANAUX = ("TEL", "MAIL", "MSSANTE", "FAX")
