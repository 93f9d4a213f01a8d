"""Domain knowledge every service shares: the China calendar and reporting periods, deadlines as occurrences,
the region tree, unit name resolution, targets."""
