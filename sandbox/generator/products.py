"""Altamira's product catalogue, the line items of won deals and Salesforce's splits.

Played after every journey with its own random stream, so adding products changes no
other record of a world. A won deal sells the product its name says (``… - HPLC system``;
HubSpot's inside-sales deals sell consumables, Zoho's Iberian deals an instrument), and
half of the instrument deals add a service contract worth 10% of the amount; the line
items sum exactly to the deal's amount. Zoho relates products to a deal without prices
(its Deals -> Products related list): there the truth gives the products only. With Team
Selling on, every opportunity has its owner's 100% revenue split; some won ones share it
with a colleague and some carry an overlay split for a product specialist. The ground
truth lists both (``deal_products``, ``deal_splits``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sandbox.generator.context import Employee, Gen
from sandbox.store import Record
from sandbox.zoho.schema import DEAL_PRODUCTS_KEY

__all__ = ["CATALOGUE", "Product", "add_products"]


@dataclass(frozen=True)
class Product:
    name: str
    code: str
    family: str
    price: float


CATALOGUE = (
    Product("HPLC system", "ALT-HPLC-1290", "Instruments", 48_000.0),
    Product("Mass spectrometer", "ALT-MS-6500", "Instruments", 185_000.0),
    Product("Spectrophotometer", "ALT-UV-1900", "Instruments", 14_500.0),
    Product("Service contract", "ALT-SVC-ANNUAL", "Services", 6_000.0),
    Product("Chromatography columns", "ALT-COL-C18", "Consumables", 450.0),
    Product("Lab consumables kit", "ALT-CONS-KIT", "Consumables", 120.0),
)
_BY_NAME = {p.name.casefold(): p for p in CATALOGUE}
_SERVICE = _BY_NAME["service contract"]
_INSTRUMENTS = tuple(p for p in CATALOGUE if p.family == "Instruments")
_CONSUMABLES = tuple(p for p in CATALOGUE if p.family == "Consumables")
_CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD")
_CENT = Decimal("0.01")


def _lines(rng: random.Random, main: Product, amount: float) -> list[tuple[Product, float]]:
    """(product, price) per line, summing exactly to ``amount`` (quantity 1 each)."""
    total = Decimal(f"{amount:.2f}")
    if main is _SERVICE or main.family != "Instruments" or rng.random() >= 0.5:
        return [(main, float(total))]
    service = (total / 10).quantize(_CENT, rounding=ROUND_HALF_EVEN)
    return [(main, float(total - service)), (_SERVICE, float(service))]


def _named(name: str | None) -> Product | None:
    tail = (name or "").rsplit(" - ", 1)[-1].casefold()
    return _BY_NAME.get(tail)


def _admin(gen: Gen, crm: str, when: datetime) -> Employee:
    staff = [e for e in gen.staff if crm in e.crms and e.active_at(when)]
    leaders = [e for e in staff if e.team == "leadership"]
    return (leaders or staff or gen.staff)[0]


def add_products(gen: Gen) -> None:
    """The catalogue in each CRM and the line items of every won deal."""
    rng = random.Random(f"altamira:{gen.world.seed}:{gen.world.scale}:products")
    when = gen.start - timedelta(days=30)
    _salesforce(gen, rng, when)
    _hubspot(gen, rng, when)
    _zoho(gen, rng, when)


def _truth(gen: Gen, crm: str, obj: str, rid: str, product: Product, price: float) -> None:
    gen.world.truth.add(
        "deal_products",
        {
            "crm": crm,
            "object": obj,
            "id": rid,
            "product": product.name,
            "quantity": 1,
            "amount": f"{price:.2f}",
        },
    )


def _salesforce(gen: Gen, rng: random.Random, when: datetime) -> None:
    admin = _admin(gen, "salesforce", when)
    book = gen.sf(
        "Pricebook2",
        {"Name": "Standard Price Book", "IsActive": True, "IsStandard": True, "IsArchived": False},
        when,
        admin,
    )
    entries: dict[tuple[str, str], Record] = {}
    products: dict[str, Record] = {}
    for p in CATALOGUE:
        products[p.name] = gen.sf(
            "Product2",
            {
                "Name": p.name,
                "ProductCode": p.code,
                "Family": p.family,
                "IsActive": True,
                "IsArchived": False,
                "QuantityUnitOfMeasure": "Each",
            },
            when,
            admin,
        )
        for currency in _CURRENCIES:
            entries[(p.name, currency)] = gen.sf(
                "PricebookEntry",
                {
                    "Name": p.name,
                    "Pricebook2Id": book["Id"],
                    "Product2Id": products[p.name]["Id"],
                    "UnitPrice": p.price,
                    "IsActive": True,
                    "UseStandardPrice": False,
                    "ProductCode": p.code,
                    "CurrencyIsoCode": currency,
                    "IsArchived": False,
                },
                when,
                admin,
            )
    split_types = {}
    for dev, label, validated in (("Revenue", "Revenue", True), ("Overlay", "Overlay", False)):
        split_types[dev] = gen.sf(
            "OpportunitySplitType",
            {
                "DeveloperName": dev,
                "MasterLabel": label,
                "IsActive": True,
                "IsTotalValidated": validated,
                "SplitEntity": "Opportunity",
                "SplitField": "Amount",
                "SplitDataStatus": "Completed",
                "Language": "en_US",
            },
            when,
            admin,
        )
    users = {e.sf_user: e for e in gen.staff if e.sf_user}
    sellers = sorted(
        (e for e in gen.staff if e.sf_user and e.team == "field_sales"), key=lambda e: e.employee_id
    )
    opps = gen.world.salesforce["Opportunity"]
    for opp in list(opps.live()):
        opp["HasOpportunityLineItem"] = False
        owner = users.get(opp["OwnerId"])
        at = opp["LastModifiedDate"]
        if owner is None:
            continue
        product = _named(opp["Name"])
        if opp["IsWon"] and product is not None and opp["Amount"] is not None:
            currency = opp["CurrencyIsoCode"] or "USD"
            for order, (item, price) in enumerate(_lines(rng, product, opp["Amount"]), 1):
                entry = entries[(item.name, currency)]
                line = gen.sf(
                    "OpportunityLineItem",
                    {
                        "OpportunityId": opp["Id"],
                        "PricebookEntryId": entry["Id"],
                        "Product2Id": products[item.name]["Id"],
                        "Name": f"{opp['Name']} {item.name}",
                        "ProductCode": item.code,
                        "Quantity": 1.0,
                        "UnitPrice": price,
                        "ListPrice": item.price,
                        "Subtotal": price,
                        "TotalPrice": price,
                        "ServiceDate": opp["CloseDate"],
                        "SortOrder": order,
                        "CurrencyIsoCode": currency,
                    },
                    at,
                    owner,
                )
                _truth(gen, "salesforce", "OpportunityLineItem", line["Id"], item, price)
            opp.update(HasOpportunityLineItem=True, Pricebook2Id=book["Id"])
        _splits(gen, rng, opp, owner, at, sellers, split_types)


def _splits(gen, rng, opp, owner, at, sellers, split_types) -> None:
    """The owner's revenue split, shared or joined by an overlay on some won deals."""
    shares = [(owner, 100.0, "Revenue")]
    others = [e for e in sellers if e is not owner and e.active_at(at)]
    if opp["IsWon"] and others:
        roll = rng.random()
        if roll < 0.25:
            partner = rng.choice(others)
            shares = [(owner, 70.0, "Revenue"), (partner, 30.0, "Revenue")]
        elif roll < 0.45:
            shares.append((rng.choice(others), 100.0, "Overlay"))
    amount = float(opp["Amount"] or 0)
    for who, percent, kind in shares:
        split = gen.sf(
            "OpportunitySplit",
            {
                "OpportunityId": opp["Id"],
                "SplitOwnerId": who.sf_user,
                "SplitTypeId": split_types[kind]["Id"],
                "SplitPercentage": percent,
                "SplitAmount": round(amount * percent / 100, 2),
                "HasOpportunityLineItemSplit": False,
                "CurrencyIsoCode": opp["CurrencyIsoCode"],
            },
            at,
            owner,
        )
        gen.world.truth.add(
            "deal_splits",
            {
                "crm": "salesforce",
                "object": "OpportunitySplit",
                "id": split["Id"],
                "deal": opp["Id"],
                "employee_id": who.employee_id,
                "type": kind.lower(),
                "percent": f"{percent:.2f}",
            },
        )


def _hubspot(gen: Gen, rng: random.Random, when: datetime) -> None:
    admin = _admin(gen, "hubspot", when)
    products: dict[str, Record] = {}
    for p in CATALOGUE:
        products[p.name] = gen.hs(
            "products",
            {"name": p.name, "hs_sku": p.code, "price": p.price, "description": p.family},
            when,
            admin,
        )
    owners = {e.hs_owner: e for e in gen.staff if e.hs_owner}
    assoc = gen.world.hubspot_associations
    for deal in list(gen.world.hubspot["deals"].live()):
        if not deal.get("hs_is_closed_won") or deal.get("amount") is None:
            continue
        product = rng.choice(_CONSUMABLES)
        owner = owners.get(deal.get("hubspot_owner_id") or "")
        at = deal[gen.world.hubspot["deals"].schema.modified_fields[0]]
        for item, price in _lines(rng, product, deal["amount"]):
            line = gen.hs(
                "line_items",
                {
                    "name": item.name,
                    "hs_product_id": int(products[item.name]["id"]),
                    "quantity": 1.0,
                    "price": price,
                    "amount": price,
                    "hs_sku": item.code,
                    "hs_line_item_currency_code": deal.get("deal_currency_code"),
                },
                at,
                owner,
            )
            assoc.add("line_items", line["id"], "deals", deal["id"])
            _truth(gen, "hubspot", "line_items", line["id"], item, price)


def _zoho(gen: Gen, rng: random.Random, when: datetime) -> None:
    admin = _admin(gen, "zoho", when)
    products: dict[str, Record] = {}
    for p in CATALOGUE:
        products[p.name] = gen.zo(
            "Products",
            {
                "Product_Name": p.name,
                "Product_Code": p.code,
                "Product_Category": p.family,
                "Manufacturer": "Altamira Instruments",
                "Unit_Price": p.price,
                "Product_Active": True,
                "Taxable": True,
            },
            when,
            admin,
        )
    for deal in gen.world.zoho["Deals"].live():
        if deal.get("Stage") != "Closed Won" or deal.get("Amount") is None:
            continue
        main = rng.choice(_INSTRUMENTS)
        sold = [item for item, _ in _lines(rng, main, deal["Amount"])]
        deal[DEAL_PRODUCTS_KEY] = [products[item.name]["id"] for item in sold]
        for item in sold:
            gen.world.truth.add(
                "deal_products",
                {
                    "crm": "zoho",
                    "object": "Deals/Products",
                    "id": f"{deal['id']}:{products[item.name]['id']}",
                    "product": item.name,
                    "quantity": None,
                    "amount": None,
                },
            )
