"""Available-to-promise (ATP): what can be promised, from where and when. Pure: no I/O.

Per warehouse, the projection is time-phased (one bucket per date on which something changes):

    projected(d) = on hand - allocated + incoming supply due by d - open demand due by d
    ATP(d)       = max(0, min over t >= d of projected(t))

The look-ahead minimum keeps a promise made for date d from taking stock that an earlier
commitment due later than d still needs (the cumulative ATP with look-ahead of SAP and Tryton:
research/ORDER_DESK_DEFINITIONS.md section 2). Open demand is the unallocated remainder of
other orders' lines (backorders); allocated stock is already out of `on hand - allocated`.
Supply and demand dated before today count today. The total is the sum over warehouses.

For one line (`promise_line`): what ships now and from where (the preferred warehouse first,
then the others, most available first), then the rest by date from incoming supply (purchase
order ETA), then, for an item that can still be bought, the lead-time date (today + lead time).
A discontinued or obsolete item has no lead-time date: what supply does not cover is
`unavailable`. "Ships now" is stock on hand only: supply due today is promised for today but
not allocated before it is received. Alternatives: another warehouse, the replacement item,
partial now + backorder, ship complete later, drop ship (where the item allows it), and in
single-warehouse mode the split across warehouses.

Nothing here promises more than supply: by every date d, what is promised from warehouse w is
at most ATP_w(d) <= on hand - allocated + incoming by d (hypothesis tests hold it to that).

The modules: `inputs` (stock, supply, demand, the item), `quantities` (typed and written),
`projection` (the time-phased ATP), `results` (`LineAvailability`), `line_promise`
(`promise_line`), `order_promise` (`promise_order`).
"""
