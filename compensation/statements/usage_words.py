"""The CRM usage score's components in words: a label and how to raise each, per language.

Keys are the usage audit's component ids (``activity_coverage``, ``freshness``...) and a
few older sample ids; an unknown id shows the label and advice the caller gave.
"""

from __future__ import annotations

from compensation.statements.messages_de import USAGE_ADVICE_DE, USAGE_DE

__all__ = ["USAGE", "USAGE_ADVICE"]

# usage component id -> locale -> label
USAGE: dict[str, dict[str, str]] = {
    "activity_coverage": {
        "en": "Activities logged on deals",
        "fr": "Activités saisies sur les affaires",
        "es": "Actividades registradas en las oportunidades",
    },
    "freshness": {"en": "Up-to-date pipeline", "fr": "Pipeline à jour", "es": "Pipeline al día"},
    "completeness": {"en": "Complete records", "fr": "Fiches complètes", "es": "Fichas completas"},
    "responsiveness": {
        "en": "Responsiveness",
        "fr": "Réactivité",
        "es": "Capacidad de respuesta",
    },
    "uniqueness": {"en": "No duplicates", "fr": "Pas de doublons", "es": "Sin duplicados"},
    "validity": {"en": "Valid data", "fr": "Données valides", "es": "Datos válidos"},
    "timeliness": {"en": "Timely entry", "fr": "Saisie à temps", "es": "Registro a tiempo"},
    "activity_logging": {
        "en": "Activities logged",
        "fr": "Activités saisies",
        "es": "Actividades registradas",
    },
    "duplicates": {"en": "No duplicates", "fr": "Pas de doublons", "es": "Sin duplicados"},
}

# usage component id -> locale -> how to raise it
USAGE_ADVICE: dict[str, dict[str, str]] = {
    "activity_coverage": {
        "en": "Log your calls (with their outcome), visits and e-mails on each deal before it "
        "closes.",
        "fr": "Saisissez vos appels (avec leur résultat), visites et e-mails sur chaque affaire "
        "avant sa clôture.",
        "es": "Registre sus llamadas (con su resultado), visitas y correos en cada oportunidad "
        "antes del cierre.",
    },
    "freshness": {
        "en": "Enter deals as soon as they open, log an activity on open deals regularly and "
        "move the close date when it slips.",
        "fr": "Saisissez les affaires dès leur ouverture, enregistrez régulièrement une "
        "activité sur les affaires en cours et décalez la date de clôture quand elle glisse.",
        "es": "Registre las oportunidades en cuanto se abran, anote actividad con regularidad "
        "en las abiertas y mueva la fecha de cierre cuando se retrase.",
    },
    "completeness": {
        "en": "Fill in the required fields, the lead source and the contact role on your "
        "records, and the next step on deals near closing.",
        "fr": "Renseignez les champs obligatoires, l'origine du contact et le rôle du contact "
        "sur vos fiches, et l'étape suivante des affaires proches de la clôture.",
        "es": "Complete los campos obligatorios, el origen y la función del contacto en sus "
        "fichas, y el próximo paso de las oportunidades a punto de cerrarse.",
    },
    "responsiveness": {
        "en": "Answer new leads within the agreed time and resolve cases so they stay closed.",
        "fr": "Répondez aux nouveaux contacts dans le délai convenu et résolvez les demandes "
        "pour qu'elles restent closes.",
        "es": "Responda a los nuevos contactos en el plazo acordado y resuelva los casos para "
        "que no se reabran.",
    },
    "uniqueness": {
        "en": "Search the CRM before you create a contact or an account.",
        "fr": "Cherchez dans le CRM avant de créer un contact ou un compte.",
        "es": "Busque en el CRM antes de crear un contacto o una cuenta.",
    },
    "validity": {
        "en": "Check e-mail addresses and phone numbers as you enter them.",
        "fr": "Vérifiez les adresses e-mail et les numéros de téléphone à la saisie.",
        "es": "Compruebe los correos y los teléfonos al registrarlos.",
    },
}

for _table, _german in ((USAGE, USAGE_DE), (USAGE_ADVICE, USAGE_ADVICE_DE)):
    for _key, _words in _german.items():
        _table[_key]["de"] = _words
