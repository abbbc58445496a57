"""The synthetic company the sandbox serves, its churn, and its ground truth.

Altamira Instruments
====================

Altamira Instruments makes laboratory instruments (HPLC systems, mass spectrometers,
spectrophotometers, service contracts) and sells them to companies. Its teams work in three
CRMs:

- **HubSpot** — marketing (web forms, campaigns, e-mail newsletters) and the call centre /
  inside sales, who qualify leads by phone and e-mail, answer inbound customers, close small
  consumables deals in HubSpot and handle some tickets.
- **Salesforce** — field sales (visits, proposals; they own Accounts and Opportunities with
  OpportunityContactRoles and close most deals), sales managers, some Cases, and trade-show
  Campaigns with CampaignMembers. Call-centre agents also have Salesforce users (they create
  the Leads that field reps convert).
- **Zoho** — the service desk (Cases with origin channel and resolution times) and the
  Iberian subsidiary's own small sales team (Leads, Contacts, Accounts, Deals, Calls, Tasks,
  Events).

Employees belong to teams (``leadership``, ``marketing``, ``call_centre``, ``field_sales``,
``service``, ``iberia_sales``) with roles (``manager`` or the team's function) and managers.
Managers have users in all three CRMs, agents in HubSpot and Salesforce, service staff in
Zoho and Salesforce; the same employee may be spelt differently per CRM (nickname in
HubSpot, accents stripped or a ``.es`` address in Zoho). Some have left (inactive users,
archived owners, disabled Zoho users) and still own old records. Habits: ``diligent``, or
sloppy ones — ``missing_fields``, ``late_deal_entry`` (deal created on or the day before its
close date), ``no_activity_logging``, ``stale_deals`` (open deals left 60+ days without
activity, close date past), ``slow_response`` (first touch on a lead after 3+ days),
``no_lead_source``.

Customers are organisations and their people. About a third of people appear in more than
one CRM and some twice in one CRM. Every later copy of a person carries the corruption
profile of ``corruption.py`` (``HARD``, documented in docs/sandbox.md: keyboard and phonetic
misspellings, dropped fields, surname changes, address variants, postcode and city typos,
placeholders, bulk imports sharing one created time; about four in ten duplicate pairs share
no e-mail, phone or company), on top of the older variations: case changes, accents stripped
or added, nicknames (Bob/Robert, Pepe/José, Paco/Francisco), one-letter typos and
transpositions, phone formats (E.164, ``(555) …``, dots, local), swapped first and last names,
missing fields, a personal instead of a work e-mail; company names with and without legal
suffix, "The", punctuation, upper case or abbreviations. Hard cases on purpose: colleagues
sharing the company switchboard number, placeholder e-mails (``noemail@example.com``,
``n/a``), different people with the same name, branches of one company in several cities.

Journeys lead to deals won, lost or still open, over the 18 months before the anchor:

1. the six-step chain — marketing captures a web lead (HubSpot contact with source) → the
   call centre qualifies it by phone (HubSpot call) and creates a Salesforce Lead → a field
   rep converts it and visits (Salesforce Event) → the customer writes back (Salesforce Task
   ``TaskSubtype=Email`` or HubSpot ``INCOMING_EMAIL``) → the call centre answers (HubSpot
   call/e-mail) → the field rep closes the Opportunity (with contact roles);
2. trade-show leads (CampaignMember) → visit → close in Salesforce;
3. inside-sales deals: web form or inbound call → qualification call → HubSpot deal;
4. the Iberian subsidiary: Zoho Lead → call → conversion → visit → Zoho Deal.

Amounts are in USD, EUR, GBP or CHF (rounded to cents). After-sales cases are opened by
channel (e-mail, phone, web, chat, social, store), resolved after hours or days, some reopened.

Products (``products.py``): a six-product catalogue (HPLC system, mass spectrometer,
spectrophotometer, service contract, chromatography columns, lab consumables kit) in every
CRM; each won deal sells the product its name says (HubSpot: consumables; Zoho: an
instrument), half of the instrument deals with a service contract at 10% of the amount.
Salesforce opportunities carry Team Selling splits. Drawn last, from their own random
stream: every other record is the same as without them.

Ground truth (``world.truth.files``; datetimes as ISO strings)
===============================================================

- ``employees``: employee_id, name, email, team, role, manager_id, habits, active, left_at,
  accounts ``[{crm, user_id}]`` (Salesforce User Id, HubSpot owner id, Zoho user id).
- ``identities``: crm, object, id, kind (``person`` | ``organisation`` | ``employee``),
  identity (``P000123`` / ``O000045`` / ``E000007``) — one row per record of a person,
  organisation or employee (HubSpot owners as object ``owners``, Zoho users as ``users``).
- ``deals``: crm, object, id, customer_person, customer_org, amount (string, 2 dp), currency,
  stage, won, closed, created_at, close_date, owner (employee_id), touches: ordered
  ``{step, slot, channel, employee, crm, object, id, at}`` with slot one of
  ``lead_source|qualification|field_work|customer_reply|service_answer|close|other`` and
  employee null for the customer's own acts. A touch that happened but was never logged
  (a rep who logs nothing) has null crm/object/id.
- ``cases``: crm, object, id, customer_person, customer_org, origin, owner, opened_at,
  closed_at (null while open), reopened.
- ``usage_problems``: employee_id, problem (``missing_fields`` — detail lists the blanked
  fields; ``deal_created_at_close``; ``no_activity_on_won_deal``; ``stale_open_deal``;
  ``slow_lead_response`` — detail is the hours to first touch; ``no_lead_source``;
  ``duplicate_created`` — detail is the identity), crm, object, id, detail.
- ``deal_products``: crm, object, id, product, quantity, amount (string, 2 dp) — one row
  per line item (Salesforce ``OpportunityLineItem``, HubSpot ``line_items``); Zoho rows are
  ``object: Deals/Products``, id ``{deal id}:{product id}``, quantity and amount null.
- ``deal_splits``: crm, object, id, deal, employee_id, type (``revenue`` | ``overlay``),
  percent (string, 2 dp) — Salesforce ``OpportunitySplit`` rows, and the sales credits of
  the Oracle division's revenue lines (objects ``ChildRevenue``, a line's own credit, and
  ``ChildSplitRevenue``; ``oracle_credits.py``).
- ``churn``: crm, object, id, op, at — appended by :func:`apply_churn`.
- ``b2c`` (with the consumer line, on by default; ``generate(..., b2c=False)`` leaves it
  out): crm, object, id, identity, person_account — every consumer record (``b2c.py``).
- ``orders`` (the same): crm, object, id, identity, contact, account, at, channel, amount
  (string, 2 dp), currency, paid, owner — the consumers' orders (``orders.py``).
"""

from __future__ import annotations

from sandbox.generator.build import SCALE_PLANS, ScalePlan, generate
from sandbox.generator.churn import ChurnReport, apply_churn
from sandbox.generator.corruption import HARD, CorruptionRates
from sandbox.generator.pair_shares import PairShares, pair_shares
from sandbox.generator.truth import truth_summary, write_ground_truth

__all__ = [
    "HARD",
    "SCALE_PLANS",
    "ChurnReport",
    "CorruptionRates",
    "PairShares",
    "ScalePlan",
    "apply_churn",
    "generate",
    "pair_shares",
    "truth_summary",
    "write_ground_truth",
]
