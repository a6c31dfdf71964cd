"""The sync engine: the outbox pushed to an ERP and master data pulled back, for any connector.

`engine.SyncEngine` is the whole engine; its parts are `push` (claims in `claims`), `pull`,
`retry` (backoff and re-queueing failed entries), `status`, and `payload` (our order as the
ERP receives it). `outbox` names the entities, operations and states they share.
"""
