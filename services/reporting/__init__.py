"""reporting: consolidated figures at city, county and township level, and the dashboard."""
