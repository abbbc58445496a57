"""The waterfall of a compared pair: steps from the prior through each weight to the total."""

from __future__ import annotations

from sync.reconcile.waterfall import ROW, WIDTH, render_page, waterfall

PAIR = {
    "other": "hubspot:contacts:1",
    "score": 14.0,
    "status": "match",
    "linked": True,
    "model": "abc123def456",
    "prior": -10.0,
    "probability": 0.9412,
    "comparisons": [
        {"field": "email", "level": "exact", "weight": 12.0, "this": "a@x.com", "other": "a@x.com"},
        {"field": "last_name", "level": "exact", "weight": 5.0, "this": "lee", "other": "lee"},
        {"field": "first_name", "level": "different", "weight": -3.0, "this": "ann", "other": "bo"},
    ],
}


def test_each_step_starts_where_the_last_ended_on_one_axis() -> None:
    chart = waterfall(PAIR, threshold=10.0)
    # Cumulative log2 odds: prior 0 -> -10, email -> 2, surname -> 7, first name -> 4;
    # the threshold (10 on the score's scale) sits at 10 - 10 = 0 after the prior. The
    # axis runs from -10 to 7: 520 px for 17 units.
    scale = WIDTH / 17
    assert [(b["label"], b["kind"], b["weight"]) for b in chart["bars"]] == [
        ("prior", "prior", -10.0),
        ("email exact", "for", 12.0),
        ("last_name exact", "for", 5.0),
        ("first_name different", "against", -3.0),
        ("total", "total", 4.0),
    ]
    assert [b["x"] for b in chart["bars"]] == [
        0.0,
        0.0,
        round(12 * scale, 1),
        round(14 * scale, 1),
        round(10 * scale, 1),
    ]

    def px(value: float) -> float:
        return round((value + 10) * scale, 1)

    spans = [(0, -10), (-10, 2), (2, 7), (7, 4), (0, 4)]
    assert [b["width"] for b in chart["bars"]] == [round(abs(px(b) - px(a)), 1) for a, b in spans]
    assert chart["zero"] == chart["threshold"] == round(10 * scale, 1)
    assert chart["height"] == 5 * ROW


def test_a_pair_scored_without_a_model_has_no_prior_step_and_no_line_unless_given() -> None:
    hand = {k: v for k, v in PAIR.items() if k not in ("model", "prior", "probability")}
    chart = waterfall(hand)
    assert next(b["label"] for b in chart["bars"]) == "email exact"
    assert chart["threshold"] is None


def test_the_page_draws_one_waterfall_per_pair_and_escapes_crm_text() -> None:
    data = {
        "record": "salesforce:leads:1",
        "kind": "person",
        "identity": "P-1",
        "joined_by": "match",
        "members": ["salesforce:leads:1", "hubspot:contacts:1"],
        "pairs": [
            dict(
                PAIR,
                comparisons=[
                    *PAIR["comparisons"],
                    {
                        "field": "city",
                        "level": "same",
                        "weight": 0.5,
                        "this": "<script>alert(1)</script>",
                        "other": "x",
                    },
                ],
            )
        ],
    }
    page = render_page(data, {"hubspot:contacts:1": 10.0})
    assert page.count('<svg class="waterfall"') == 1
    assert page.count("<rect") == 6  # prior, four comparisons, total
    assert 'class="threshold"' in page
    assert "probability 0.9412 under model abc123def456" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
