"""What every service serves beside its own routes: its contracts' documentation pages."""
