"""The desk's KPIs, one definition each (README "Reports" has the table), pure: no store.

Services hand in facts (`facts.LineFact`, `process.OrderTimes`, `process.HoldSpan`, error
causes per order); each function returns a `rates.Rate` (or a few) that carries the order ids
behind the figure, so a report can open the orders that make it. Sources of the definitions:
/work/shared/research/ORDER_DESK_DEFINITIONS.md (RightChain fill rates, SCOR RL.1.1, orwiki's
three OTIF targets).
"""
