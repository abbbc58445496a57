"""The statement's words in German (Germany, Austria, Switzerland: "Provision", "Abrechnung").

Kept apart from ``messages`` and ``usage_words`` (English, French, Spanish), which merge
these entries into their tables under ``"de"``: the same keys, plural forms and
placeholders as English (a test compares them).
"""

from __future__ import annotations

__all__ = ["GATES_DE", "MESSAGES_DE", "POOLS_DE", "ROLES_DE", "USAGE_ADVICE_DE", "USAGE_DE"]

MESSAGES_DE: dict[str, str | dict[str, str]] = {
    "subject": "Ihre Provisionsabrechnung {period}: {total}",
    "title": "Provisionsabrechnung {period}",
    "hello": "Guten Tag {name},",
    "intro": "hier steht, was Sie im Zeitraum {period} verdient haben, und warum.",
    "plan": "Plan {plan}, Version {version}",
    "as_of": "Berechnet am {date}",
    "total": "Auszuzahlender Betrag",
    "commissions": "Provisionen",
    "other": "Boni und Obergrenzen",
    "adjustments": "Korrekturen",
    "clawbacks": "Rückforderungen",
    "draw_advanced": "Vorschuss gezahlt",
    "draw_recovered": "Vorschuss verrechnet",
    "attainment": "Zielerreichung",
    "attainment_line": "{credited} angerechnet bei einem Ziel von {quota}: {ratio}.",
    "tiers": "Die Sätze ändern sich bei {thresholds} des Ziels.",
    "chart_alt": "Zielerreichung {ratio} des Ziels",
    "deals": "Angerechnete Verkaufschancen",
    "deal_count": {"one": "{count} Verkaufschance", "other": "{count} Verkaufschancen"},
    "deal": "Verkaufschance",
    "slot": "Ihre Rolle",
    "share": "Anteil",
    "credited": "Angerechnet",
    "rate": "Satz",
    "amount": "Betrag",
    "rule": "Regel",
    "acts": "Ihre Aktivitäten",
    "acts_pool": "Zugrunde liegende Aktivitäten",
    "split_note": "Warum dieser Anteil",
    "fx": "{amount} umgerechnet zum Kurs {rate}",
    "fx_from": "Kurs vom {day}: {source}",
    "no_deals": "In diesem Zeitraum wurde Ihnen keine Verkaufschance angerechnet.",
    "withheld": "Einbehaltene Vergütung",
    "withheld_intro": "Diese Beträge wurden nicht ausgezahlt, weil eine Bedingung des Plans "
    "nicht erfüllt war.",
    "next_time": "Beim nächsten Mal",
    "usage": "CRM-Nutzungswert",
    "usage_line": "Ihr Wert liegt bei {score} von 100.",
    "usage_minimum": "Für die Auszahlung sind mindestens {minimum} nötig.",
    "component": "Bestandteil",
    "weight": "Gewicht",
    "score": "Wert",
    "how_to_raise": "So steigern Sie ihn",
    "balances": "Korrekturen, Rückforderungen und Vorschüsse",
    "opening": "Anfangsstand",
    "advanced": "Gezahlt",
    "recovered": "Verrechnet",
    "closing": "Endstand",
    "recoverable": "rückzahlbar",
    "non_recoverable": "nicht rückzahlbar",
    "from_period": "aus {period}",
    "what_if": "Was, wenn Ihre offenen Verkaufschancen abgeschlossen werden?",
    "what_if_line": {
        "one": "{count} offene Verkaufschance könnte Ihnen {amount} mehr einbringen.",
        "other": "{count} offene Verkaufschancen könnten Ihnen {amount} mehr einbringen.",
    },
    "what_if_attainment": "Ihre Zielerreichung läge dann bei {ratio}.",
    "what_if_note": "Eine Schätzung aus der aktuellen Pipeline; nicht Teil des Gesamtbetrags.",
    "questions": "Eine Frage zu einer Zeile? Antworten Sie auf diese E-Mail ({address}).",
    "questions_plain": "Eine Frage zu einer Zeile? Antworten Sie auf diese E-Mail.",
    "reference": "Abrechnung {id}, Version {version}.",
    "closed": "Dieser Zeitraum ist abgeschlossen; spätere Änderungen erscheinen als Korrekturen.",
    "payout": "Ausgezahlt am {date}.",
    "payout_open": "Auszahlung am {date}, sobald der Zeitraum abgeschlossen ist; bis dahin "
    "können sich diese Beträge noch ändern.",
    "year": "Ihr bisheriges Jahr",
    "year_period": "Zeitraum",
    "year_state": "Stand",
    "year_final": "endgültig",
    "year_provisional": "vorläufig",
    "year_this": "diese Abrechnung",
    "year_to_date": "Seit Jahresbeginn",
    "would_have_paid": "Hätte {amount} eingebracht",
    "what_if_draw": "Ein Teil davon würde den Ihnen in diesem Zeitraum gezahlten Vorschuss "
    "ersetzen.",
    "what_if_each": "Bei Abschluss",
    "usage_bonus_from": "Der CRM-Nutzungsbonus wird ab einem Wert von {minimum} gezahlt.",
    "usage_band": "Ab {minimum}: Provision × {multiplier}.",
    "draw": "Vorschuss",
    "kind_usage_bonus": "CRM-Nutzungsbonus",
    "kind_usage_multiplier": "CRM-Nutzungsfaktor",
    "kind_kpi_bonus": "KPI-Bonus",
    "kind_cap": "Obergrenze",
    "kind_plan_cap": "Obergrenze des Plans",
    "kind_manual": "Manuelle Korrektur",
    "kind_prior_period": "Änderung eines abgeschlossenen Zeitraums",
}

# gate id -> (reason, advice)
GATES_DE: dict[str, tuple[str, str]] = {
    "documentation": (
        "Diese Verkaufschance wurde zu kurz vor ihrem Abschlussdatum im CRM erfasst.",
        "Erfassen Sie Verkaufschancen im CRM, sobald sie entstehen.",
    ),
    "required_fields": (
        "Pflichtfelder der Verkaufschance fehlten im CRM.",
        "Füllen Sie die Pflichtfelder aus; die Verkaufschance wird bei der nächsten Berechnung "
        "eines offenen Zeitraums vergütet.",
    ),
    "activity": (
        "Zu wenige Aktivitäten zu dieser Verkaufschance erfasst.",
        "Erfassen Sie Ihre Anrufe, Besuche und E-Mails zur Verkaufschance im CRM.",
    ),
    "negative_amount": (
        "Diese Verkaufschance ist mit einem negativen Betrag als gewonnen markiert; der Plan "
        "hält sie zurück, bis sie im CRM korrigiert ist.",
        "Korrigieren Sie den Betrag, oder erfassen Sie eine Erstattung als Stornierung der "
        "ursprünglichen Verkaufschance.",
    ),
    "left": (
        "Diese Verkaufschance wurde nach Ihrem letzten Arbeitstag abgeschlossen: vergütet "
        "werden nur Abschlüsse während Ihrer Beschäftigung.",
        "Nichts zu tun: die Anrechnung der während Ihrer Beschäftigung abgeschlossenen "
        "Verkaufschancen wird weiter vergütet.",
    ),
}

# crediting slot id -> the employee's role on the deal
ROLES_DE: dict[str, str] = {
    "lead_source": "Lead-Quelle",
    "qualification": "Qualifizierung",
    "field_work": "Außendienst",
    "close": "Abschluss",
    "split": "Aufteilung im CRM",
    "override": "von einem Administrator festgelegte Aufteilung",
}

# credit pool id -> how a line of that pool qualifies the role
POOLS_DE: dict[str, str] = {"manager": "als Führungskraft", "overlay": "als Overlay"}

# usage component id -> label
USAGE_DE: dict[str, str] = {
    "activity_coverage": "Aktivitäten zu Verkaufschancen",
    "freshness": "Aktuelle Pipeline",
    "completeness": "Vollständige Datensätze",
    "responsiveness": "Reaktionszeit",
    "uniqueness": "Keine Dubletten",
    "validity": "Gültige Daten",
    "timeliness": "Rechtzeitige Erfassung",
    "activity_logging": "Erfasste Aktivitäten",
    "duplicates": "Keine Dubletten",
}

# usage component id -> how to raise it
USAGE_ADVICE_DE: dict[str, str] = {
    "activity_coverage": "Erfassen Sie Ihre Anrufe (mit Ergebnis), Besuche und E-Mails zu jeder "
    "Verkaufschance vor ihrem Abschluss.",
    "freshness": "Erfassen Sie Verkaufschancen, sobald sie entstehen, halten Sie offene "
    "Verkaufschancen mit Aktivitäten aktuell und verschieben Sie das Abschlussdatum, wenn es "
    "sich verzögert.",
    "completeness": "Füllen Sie die Pflichtfelder, die Lead-Quelle und die Kontaktrolle Ihrer "
    "Datensätze aus, und den nächsten Schritt bei Verkaufschancen kurz vor dem Abschluss.",
    "responsiveness": "Beantworten Sie neue Leads in der vereinbarten Zeit und lösen Sie Fälle "
    "so, dass sie geschlossen bleiben.",
    "uniqueness": "Suchen Sie im CRM, bevor Sie einen Kontakt oder ein Konto anlegen.",
    "validity": "Prüfen Sie E-Mail-Adressen und Telefonnummern bei der Eingabe.",
}
