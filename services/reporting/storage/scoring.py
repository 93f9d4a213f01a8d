"""What 考核 scoring reads of reporting's collections (collections.py), and the record of its rules files.

Collection `reporting_scoring_rules`, one record per change of the scoring rules file's content as reporting
loaded it: `_id` `<version>@<loaded_at>`, version (the SHA-256 of the content), content (the file's text),
path, loaded_at. A start whose file says what the last record says records nothing; going back to an earlier
content records it again (a new loading). Listed at GET /v1/scores/rules.
"""

from datetime import datetime

from services.reporting.domain.scoring.score import Facts
from services.reporting.storage.collections import ReportingStore
from services.reporting.storage.read_model import regions_of
from shared.domain.calendar import CHINA
from shared.rules_files import RulesFile

COLLECTION = "reporting_scoring_rules"
ASSIGNMENT_FIELDS = {"measure_id": 1, "unit": 1, "unit_name": 1, "region_code": 1, "closed_out_at": 1,
                     "periods_reported": 1, "event_id": 1}
MEASURE_FIELDS = {"plan_id": 1, "targets": 1, "start_date": 1, "published_at": 1}
REPORT_FIELDS = {"measure_id": 1, "unit": 1, "period": 1, "reported_at": 1, "indicator_values": 1}
OVERDUE_FIELDS = {"episode": 1, "measure_id": 1, "unit": 1, "opened_at": 1, "closed_at": 1}


class ScoringStore:
    def __init__(self, store: ReportingStore) -> None:
        self.store = store
        self.rules = store.database[COLLECTION]

    async def facts(self, year: int) -> Facts:
        """Every fact the year's scores are made of; the reports sent from the year's start (China) on, so a late
        report on the year's last period is seen."""
        store = self.store
        start = datetime(year, 1, 1, tzinfo=CHINA)
        measures = {m["_id"]: m async for m in store.measures.find({}, MEASURE_FIELDS)}
        assignments = await store.assignments.find({"removed": {"$ne": True}}, ASSIGNMENT_FIELDS).to_list(None)
        steps = [{**step, "event_id": step["_id"]}
                 for step in await store.loop_steps.find({}, {"updated_at": 0}).to_list(None)]
        # By episode, a closed one over an open one read before its closing.
        overdue = {alert["episode"]: {**alert, "closed_at": None} for alert in
                   await store.open_alerts.find({"kind": "overdue"}, OVERDUE_FIELDS).to_list(None)}
        overdue |= {episode["_id"]: {**episode, "episode": episode["_id"]} for episode in
                    await store.alert_episodes.find({"kind": "overdue"}, OVERDUE_FIELDS).to_list(None)}
        reports = await store.revisions.find(
            {"withdrawn": {"$ne": True}, "reported_at": {"$gte": start}}, REPORT_FIELDS).to_list(None)
        registry = await store.registry.find_one({"_id": "current"})
        return Facts(measures, assignments, steps, list(overdue.values()), reports, regions_of(registry))

    async def record_rules(self, file: RulesFile, loaded_at: datetime) -> bool:
        """Record the rules file's content unless the last record holds the same; True when recorded."""
        last = await self.rules.find_one({}, {"version": 1}, sort=[("loaded_at", -1)])
        if last is not None and last["version"] == file.version:
            return False
        await self.rules.insert_one({"_id": f"{file.version}@{loaded_at.isoformat()}", "version": file.version,
                                     "content": file.content, "path": str(file.path), "loaded_at": loaded_at})
        return True

    async def rules_versions(self) -> list[dict]:
        """Every recorded content, the latest loaded first."""
        return await self.rules.find({}, {"_id": 0}).sort([("loaded_at", -1)]).to_list(None)

