"""The analysts' workbench: drafts of the process edited in the browser, checked by
`acro validate`'s checks, tested by the scenario suite on a scratch database, published as
the version new cases start on, and running cases moved to it (docs/analysts.md).

A draft is data. The only gate between what an analyst writes and what runs is the
validation (XSD, handlers, forms, rule citations) and the safe expression evaluator: a draft
that fails either is neither run nor published.
"""
