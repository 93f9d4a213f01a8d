"""tracker: turns measure-created and progress-reported events into the state of every assignment."""
