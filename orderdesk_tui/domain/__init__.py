"""Pure order-desk rules: no I/O, no store, no Textual; plain values in, plain values out."""
