"""EDI X12: reading interchanges (x12) and mapping transaction sets to the desk's terms
(po_change for the 860). Pure: no store, no I/O beyond the text handed in."""
