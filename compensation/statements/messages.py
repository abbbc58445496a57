"""The statement's words in English, French and Spanish (German: ``messages_de``).

Templates call ``t(key, **values)``; a message with CLDR plural forms is a dict keyed by
``one``/``other`` (``many`` falls back to ``other``) and is chosen by ``count``. Values are
formatted by the caller (money, dates) and inserted with :meth:`str.format`; the result is
a plain string, so the HTML template escapes it like any other text.

``GATES`` translates the reasons and advice of known gate ids; unknown ids show the
engine's own text (usage components are in ``usage_words``). ``ROLES`` names the
crediting slots of the shipped plans; another slot reads as its name with spaces
(``inside_sales`` -> ``inside sales``); ``POOLS`` says how a line of another pool than
``revenue`` (a manager's roll-up) qualifies that role.
"""

from __future__ import annotations

from compensation.statements.messages_de import GATES_DE, MESSAGES_DE, POOLS_DE, ROLES_DE

__all__ = ["GATES", "MESSAGES", "POOLS", "ROLES"]

Message = str | dict[str, str]

MESSAGES: dict[str, dict[str, Message]] = {
    "en": {
        "subject": "Your {period} statement: {total}",
        "title": "Statement for {period}",
        "hello": "Hello {name},",
        "intro": "here is what you earned for {period}, and exactly why.",
        "plan": "Plan {plan}, version {version}",
        "as_of": "Computed on {date}",
        "total": "Total payable",
        "commissions": "Commissions",
        "other": "Bonuses and caps",
        "adjustments": "Adjustments",
        "clawbacks": "Clawbacks",
        "draw_advanced": "Draw advanced",
        "draw_recovered": "Draw recovered",
        "attainment": "Attainment",
        "attainment_line": "{credited} credited against a quota of {quota}: {ratio}.",
        "tiers": "Rates change at {thresholds} of quota.",
        "chart_alt": "Attainment {ratio} of quota",
        "deals": "Credited deals",
        "deal_count": {"one": "{count} deal", "other": "{count} deals"},
        "deal": "Deal",
        "slot": "Your role",
        "share": "Share",
        "credited": "Credited",
        "rate": "Rate",
        "amount": "Amount",
        "rule": "Rule",
        "acts": "Your acts",
        "acts_pool": "Acts it rolls up",
        "split_note": "Why this share",
        "fx": "{amount} converted at {rate}",
        "fx_from": "rate of {day}: {source}",
        "no_deals": "No deal was credited to you this period.",
        "withheld": "Pay withheld",
        "withheld_intro": "These amounts were not paid because a plan gate was not met.",
        "next_time": "Next time",
        "usage": "CRM usage score",
        "usage_line": "Your score is {score} out of 100.",
        "usage_minimum": "Pay requires at least {minimum}.",
        "component": "Component",
        "weight": "Weight",
        "score": "Score",
        "how_to_raise": "How to raise it",
        "balances": "Adjustments, clawbacks and draws",
        "opening": "Opening",
        "advanced": "Advanced",
        "recovered": "Recovered",
        "closing": "Closing",
        "recoverable": "recoverable",
        "non_recoverable": "non-recoverable",
        "from_period": "from {period}",
        "what_if": "What if your open deals close?",
        "what_if_line": {
            "one": "{count} open deal could add {amount} to your earnings.",
            "other": "{count} open deals could add {amount} to your earnings.",
        },
        "what_if_attainment": "Your attainment would reach {ratio}.",
        "what_if_note": "An estimate from the pipeline as it stands; not part of the total.",
        "questions": "A question about a line? Reply to this e-mail ({address}).",
        "questions_plain": "A question about a line? Reply to this e-mail.",
        "reference": "Statement {id}, version {version}.",
        "closed": "This period is closed; later changes will appear as adjustments.",
        "payout": "Paid on {date}.",
        "payout_open": "To be paid on {date}, once the period is closed; until then these "
        "figures can still change.",
        "year": "Your year so far",
        "year_period": "Period",
        "year_state": "Status",
        "year_final": "final",
        "year_provisional": "provisional",
        "year_this": "this statement",
        "year_to_date": "Year to date",
        "would_have_paid": "Would have paid {amount}",
        "what_if_draw": "Part of them would replace the draw advanced to you this period.",
        "what_if_each": "If it closes",
        "usage_bonus_from": "The CRM usage bonus pays from a score of {minimum}.",
        "usage_band": "From {minimum}: commission × {multiplier}.",
        "draw": "Draw",
        "kind_usage_bonus": "CRM usage bonus",
        "kind_usage_multiplier": "CRM usage multiplier",
        "kind_kpi_bonus": "KPI bonus",
        "kind_cap": "Cap",
        "kind_plan_cap": "Plan cap",
        "kind_manual": "Manual adjustment",
        "kind_prior_period": "Change to a closed period",
    },
    "fr": {
        "subject": "Votre relevé de rémunération, {period} : {total}",
        "title": "Relevé de rémunération, {period}",
        "hello": "Bonjour {name},",
        "intro": "voici ce que vous avez gagné sur la période ({period}), et pourquoi.",
        "plan": "Plan {plan}, version {version}",
        "as_of": "Calculé le {date}",
        "total": "Total à payer",
        "commissions": "Commissions",
        "other": "Primes et plafonds",
        "adjustments": "Ajustements",
        "clawbacks": "Reprises",
        "draw_advanced": "Avance versée",
        "draw_recovered": "Avance récupérée",
        "attainment": "Atteinte de l'objectif",
        "attainment_line": "{credited} crédités pour un objectif de {quota} : {ratio}.",
        "tiers": "Les taux changent à {thresholds} de l'objectif.",
        "chart_alt": "Atteinte de {ratio} de l'objectif",
        "deals": "Affaires créditées",
        "deal_count": {"one": "{count} affaire", "other": "{count} affaires"},
        "deal": "Affaire",
        "slot": "Votre rôle",
        "share": "Part",
        "credited": "Crédité",
        "rate": "Taux",
        "amount": "Montant",
        "rule": "Règle",
        "acts": "Vos actions",
        "acts_pool": "Actions concernées",
        "split_note": "Pourquoi cette part",
        "fx": "{amount} converti au taux de {rate}",
        "fx_from": "taux du {day} : {source}",
        "no_deals": "Aucune affaire ne vous a été créditée sur cette période.",
        "withheld": "Rémunération retenue",
        "withheld_intro": "Ces montants n'ont pas été payés car une condition du plan "
        "n'était pas remplie.",
        "next_time": "La prochaine fois",
        "usage": "Score d'utilisation du CRM",
        "usage_line": "Votre score est de {score} sur 100.",
        "usage_minimum": "Le paiement exige au moins {minimum}.",
        "component": "Critère",
        "weight": "Poids",
        "score": "Score",
        "how_to_raise": "Comment l'améliorer",
        "balances": "Ajustements, reprises et avances",
        "opening": "Solde initial",
        "advanced": "Versé",
        "recovered": "Récupéré",
        "closing": "Solde final",
        "recoverable": "récupérable",
        "non_recoverable": "non récupérable",
        "from_period": "de {period}",
        "what_if": "Et si vos affaires en cours se concluaient ?",
        "what_if_line": {
            "one": "{count} affaire en cours pourrait ajouter {amount} à votre rémunération.",
            "other": "{count} affaires en cours pourraient ajouter {amount} à votre rémunération.",
        },
        "what_if_attainment": "Votre atteinte passerait à {ratio}.",
        "what_if_note": "Estimation sur le pipeline actuel ; non comprise dans le total.",
        "questions": "Une question sur une ligne ? Répondez à cet e-mail ({address}).",
        "questions_plain": "Une question sur une ligne ? Répondez à cet e-mail.",
        "reference": "Relevé {id}, version {version}.",
        "closed": "Cette période est close ; les changements ultérieurs apparaîtront "
        "en ajustements.",
        "payout": "Payé le {date}.",
        "payout_open": "Paiement prévu le {date}, une fois la période close ; d'ici là ces "
        "montants peuvent encore changer.",
        "year": "Votre année",
        "year_period": "Période",
        "year_state": "Statut",
        "year_final": "définitif",
        "year_provisional": "provisoire",
        "year_this": "ce relevé",
        "year_to_date": "Cumul de l'année",
        "would_have_paid": "Aurait rapporté {amount}",
        "what_if_draw": "Une partie remplacerait l'avance qui vous est versée sur la période.",
        "what_if_each": "Si elle se conclut",
        "usage_bonus_from": "La prime d'utilisation du CRM est versée à partir d'un score "
        "de {minimum}.",
        "usage_band": "À partir de {minimum}\u202f: commission × {multiplier}.",
        "draw": "Avance",
        "kind_usage_bonus": "Prime d'utilisation du CRM",
        "kind_usage_multiplier": "Coefficient d'utilisation du CRM",
        "kind_kpi_bonus": "Prime sur indicateur",
        "kind_cap": "Plafond",
        "kind_plan_cap": "Plafond du plan",
        "kind_manual": "Ajustement manuel",
        "kind_prior_period": "Changement sur une période close",
    },
    "es": {
        "subject": "Su extracto de {period}: {total}",
        "title": "Extracto de {period}",
        "hello": "Hola, {name}:",
        "intro": "esto es lo que ha ganado en {period}, y por qué.",
        "plan": "Plan {plan}, versión {version}",
        "as_of": "Calculado el {date}",
        "total": "Total a pagar",
        "commissions": "Comisiones",
        "other": "Bonificaciones y topes",
        "adjustments": "Ajustes",
        "clawbacks": "Recuperaciones",
        "draw_advanced": "Anticipo pagado",
        "draw_recovered": "Anticipo recuperado",
        "attainment": "Cumplimiento de cuota",
        "attainment_line": "{credited} acreditados frente a una cuota de {quota}: {ratio}.",
        "tiers": "Las tasas cambian al {thresholds} de la cuota.",
        "chart_alt": "Cumplimiento del {ratio} de la cuota",
        "deals": "Oportunidades acreditadas",
        "deal_count": {"one": "{count} oportunidad", "other": "{count} oportunidades"},
        "deal": "Oportunidad",
        "slot": "Su función",
        "share": "Parte",
        "credited": "Acreditado",
        "rate": "Tasa",
        "amount": "Importe",
        "rule": "Regla",
        "acts": "Sus acciones",
        "acts_pool": "Acciones que agrupa",
        "split_note": "Por qué esta parte",
        "fx": "{amount} convertido a {rate}",
        "fx_from": "tipo del {day}: {source}",
        "no_deals": "No se le acreditó ninguna oportunidad en este periodo.",
        "withheld": "Pago retenido",
        "withheld_intro": "Estos importes no se pagaron porque no se cumplió una condición "
        "del plan.",
        "next_time": "La próxima vez",
        "usage": "Puntuación de uso del CRM",
        "usage_line": "Su puntuación es {score} sobre 100.",
        "usage_minimum": "El pago exige al menos {minimum}.",
        "component": "Componente",
        "weight": "Peso",
        "score": "Puntuación",
        "how_to_raise": "Cómo mejorarla",
        "balances": "Ajustes, recuperaciones y anticipos",
        "opening": "Saldo inicial",
        "advanced": "Pagado",
        "recovered": "Recuperado",
        "closing": "Saldo final",
        "recoverable": "recuperable",
        "non_recoverable": "no recuperable",
        "from_period": "de {period}",
        "what_if": "¿Y si se cierran sus oportunidades abiertas?",
        "what_if_line": {
            "one": "{count} oportunidad abierta podría añadir {amount} a sus ganancias.",
            "other": "{count} oportunidades abiertas podrían añadir {amount} a sus ganancias.",
        },
        "what_if_attainment": "Su cumplimiento llegaría al {ratio}.",
        "what_if_note": "Estimación con el pipeline actual; no incluida en el total.",
        "questions": "¿Alguna duda sobre una línea? Responda a este correo ({address}).",
        "questions_plain": "¿Alguna duda sobre una línea? Responda a este correo.",
        "reference": "Extracto {id}, versión {version}.",
        "closed": "Este periodo está cerrado; los cambios posteriores aparecerán como ajustes.",
        "payout": "Pagado el {date}.",
        "payout_open": "Se pagará el {date}, una vez cerrado el periodo; hasta entonces "
        "estas cifras aún pueden cambiar.",
        "year": "Su año hasta ahora",
        "year_period": "Periodo",
        "year_state": "Estado",
        "year_final": "definitivo",
        "year_provisional": "provisional",
        "year_this": "este extracto",
        "year_to_date": "Acumulado del año",
        "would_have_paid": "Habría pagado {amount}",
        "what_if_draw": "Una parte sustituiría al anticipo que se le paga en el periodo.",
        "what_if_each": "Si se cierra",
        "usage_bonus_from": "La bonificación por uso del CRM se paga a partir de una "
        "puntuación de {minimum}.",
        "usage_band": "Desde {minimum}: comisión × {multiplier}.",
        "draw": "Anticipo",
        "kind_usage_bonus": "Bonificación por uso del CRM",
        "kind_usage_multiplier": "Multiplicador por uso del CRM",
        "kind_kpi_bonus": "Bonificación por indicador",
        "kind_cap": "Tope",
        "kind_plan_cap": "Tope del plan",
        "kind_manual": "Ajuste manual",
        "kind_prior_period": "Cambio en un periodo cerrado",
    },
}

# gate id -> locale -> (reason, advice), for languages other than English: the engine's
# own English texts are more specific (days, field names) and are shown in English.
GATES: dict[str, dict[str, tuple[str, str]]] = {
    "documentation": {
        "fr": (
            "Cette affaire a été saisie dans le CRM trop tard avant sa date de clôture.",
            "Enregistrez les opportunités dans le CRM dès leur ouverture.",
        ),
        "es": (
            "Esta oportunidad se registró en el CRM demasiado cerca de su fecha de cierre.",
            "Registre las oportunidades en el CRM en cuanto se abran.",
        ),
    },
    "required_fields": {
        "fr": (
            "Des champs obligatoires manquaient sur l'affaire dans le CRM.",
            "Renseignez les champs obligatoires ; l'affaire sera payée au prochain calcul "
            "d'une période ouverte.",
        ),
        "es": (
            "Faltaban campos obligatorios de la oportunidad en el CRM.",
            "Complete los campos obligatorios; se pagará en el próximo cálculo de un "
            "periodo abierto.",
        ),
    },
    "activity": {
        "fr": (
            "Trop peu d'activités enregistrées sur cette affaire.",
            "Saisissez vos appels, visites et e-mails sur l'affaire dans le CRM.",
        ),
        "es": (
            "Muy pocas actividades registradas en esta oportunidad.",
            "Registre sus llamadas, visitas y correos en la oportunidad en el CRM.",
        ),
    },
    "negative_amount": {
        "fr": (
            "Cette affaire est marquée gagnée avec un montant négatif ; le plan la retient "
            "jusqu'à la correction dans le CRM.",
            "Corrigez le montant de l'affaire, ou enregistrez un remboursement comme "
            "l'annulation de l'affaire d'origine.",
        ),
        "es": (
            "Esta oportunidad está ganada con un importe negativo; el plan la retiene hasta "
            "que se corrija en el CRM.",
            "Corrija el importe de la oportunidad, o registre un reembolso como la anulación "
            "de la oportunidad original.",
        ),
    },
    "left": {
        "fr": (
            "Cette affaire a été conclue après votre dernier jour travaillé : seules les "
            "affaires conclues pendant votre emploi sont payées.",
            "Rien à faire : le crédit des affaires conclues pendant votre emploi reste payé.",
        ),
        "es": (
            "Esta oportunidad se cerró después de su último día trabajado: solo se pagan "
            "las cerradas mientras trabajaba aquí.",
            "Nada que hacer: el crédito de las oportunidades cerradas mientras trabajaba "
            "se sigue pagando.",
        ),
    },
}

# crediting slot id -> locale -> the employee's role on the deal
ROLES: dict[str, dict[str, str]] = {
    "lead_source": {"en": "lead source", "fr": "origine du contact", "es": "origen del contacto"},
    "qualification": {"en": "qualification", "fr": "qualification", "es": "cualificación"},
    "field_work": {"en": "field work", "fr": "travail terrain", "es": "trabajo de campo"},
    "close": {"en": "closing", "fr": "signature", "es": "cierre"},
    # a pool filled from the CRM's own split of the deal, or from an admin's override
    "split": {"en": "CRM split", "fr": "répartition du CRM", "es": "reparto del CRM"},
    "override": {
        "en": "split set by an administrator",
        "fr": "répartition fixée par un administrateur",
        "es": "reparto fijado por un administrador",
    },
}

# credit pool id -> locale -> how a line of that pool qualifies the role (the main
# ``revenue`` pool says nothing; a manager's line keeps the slot of the act it rolls up)
POOLS: dict[str, dict[str, str]] = {
    "manager": {"en": "as manager", "fr": "en tant que manager", "es": "como responsable"},
    "overlay": {"en": "as overlay", "fr": "en overlay", "es": "como overlay"},
}

MESSAGES["de"] = MESSAGES_DE
for _gate, _texts in GATES_DE.items():
    GATES[_gate]["de"] = _texts
for _names, _german in ((ROLES, ROLES_DE), (POOLS, POOLS_DE)):
    for _key, _name in _german.items():
        _names[_key]["de"] = _name
