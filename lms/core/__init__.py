"""The pure domain core: rules and formats with no Flask, no database and no I/O of their own."""
