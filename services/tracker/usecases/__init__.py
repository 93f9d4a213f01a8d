"""The tracker's use cases: what a batch of events (or an operator's mapping) does to the state, and the
assignment-updated events it owes. Each batch use case returns the events it cannot apply, with the reason
(shared/kafka/consuming.py retries them, then dead-letters them)."""
