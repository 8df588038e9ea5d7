"""Building the `pairs` table: click statistics, Search scores and unshown candidates per pair."""
