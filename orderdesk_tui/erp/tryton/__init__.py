"""The Tryton 8.2 connector (`connector.TrytonConnector`) and its parts."""
