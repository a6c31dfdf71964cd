"""Mail to customers by SMTP: `smtp` builds a message and hands it to the server, saying
whether a refusal is for good (5xx) or worth another attempt (4xx, timeouts, no server)."""
