"""Export compliance rules for an order (pure: the service reads the files and the store).

* **Denied parties.** The sold-to and ship-to names (and the company part of a ship-to name such
  as "Acme - Dock 3" or "X c/o Y") are screened against a list in the US Consolidated Screening
  List CSV format: every name and `;`-separated alt name of every entry. Names are normalised
  (accents, case, punctuation, legal forms such as Inc/LLC/GmbH/S.A. de C.V., filler words,
  a few spelling variants such as Mideast → Middle East) and compared with rapidfuzz as a
  token-sort ratio (word order does not matter). A listed name of two or more words found whole
  inside ours ("Al Noor Steel" in "Al Noor Steel Fabrication") also counts, at 95 % of the
  token-set ratio. An address in the same country adds 4 points and the same city another 4.
  An address matching a listed address (same country and city, street ≥ 90) is a hit even
  under another name.
* **Embargoes.** A sold-to or ship-to in an embargoed country (settings) is a hit.
* **Licences.** Shipping an item whose ECCN has a reason for control with an X in the Commerce
  Country Chart row of the destination needs a licence. EAR99 never does; an unknown ECCN or a
  destination missing from the chart extract is a hit too (classify before shipping).
* **Hazmat.** Lines with a UN number flag the order and carry UN number and class to the
  documents; the carrier must take hazmat (and that class), and the shipping warehouse must be
  hazmat-capable.

Any hit implies a compliance hold whose reason lists the hits; only a supervisor clears it.

The list is indexed once (`DeniedPartyIndex`): every name is stored as its sorted-token key so
one `rapidfuzz.process.extract` over plain `fuzz.ratio` scores the whole list (a few ms for
20,000 entries), plus an inverted token index for the containment rule.

The modules: `names` (normalisation, country codes), `reference_files` (the CSV reader and its
error), `denied_parties` (the list and its index), `screening` (one party), `export_controls`
(country chart, ECCNs), `carriers`, `order_check` (`check_order`).
"""
