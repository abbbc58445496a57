"""The store view the stages share: what one stage writes and another reads, typed, in one
place, so that no stage imports another to learn it.

- ``identity_map``: reconcile's crosswalk (which identity a record or CRM user is), read by
  the audit, compute and the reports;
- ``usage``: the latest audit run's usage scores with their components, ``Decimal`` from
  the audit to compute and the statements (``latest_usage_figures``: the stored figures
  with each component's percent and weight share);
- ``published``: the values a step wants in the CRMs (``publish``), written by the audit
  and compute, diffed by push;
- ``live_rows``: the live record rows the pull wrote, read whole by the audit's and
  compute's snapshots and streamed by change number and key by reconciliation's entities;
- ``reads``: one run's reads of the live rows and the identity map, shared by its steps
  (``StepContext.reads``) while the store is unchanged.

Each module needs only the store; import the one you read (this ``__init__`` loads nothing).
"""
