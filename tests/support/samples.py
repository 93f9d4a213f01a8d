"""Sample input shared by tests: a progress report as a county's system would send it."""

REPORT = {
    "measure_id": "fuzhou-2022-17",
    "unit": "临川区政府",
    "region_code": "361002",
    "period": "2026-Q3",
    "percent_complete": 80,
    "status": "in_progress",
    "reported_at": "2026-10-08T09:30:00+08:00",
}
