"""asyncdb-lint: find (and fix) misuse of async database APIs."""

__version__ = "0.1.0"
