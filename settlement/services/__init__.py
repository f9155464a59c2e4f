"""Service layer: load from the database, call the domain, write, journal, commit."""
