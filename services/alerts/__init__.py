"""alerts: flags overdue and lagging units and tells the people and systems that must act."""
