"""A sliding-window send limit: at most `limit` sends in any `seconds` (DingTalk and WeCom robots: 20 a minute)."""

from collections import deque
from dataclasses import dataclass, field


@dataclass
class RateWindow:
    limit: int
    seconds: float = 60.0
    sent: deque = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0: now); `now` is a monotonic clock reading."""
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()
        return 0.0 if len(self.sent) < self.limit else self.sent[0] + self.seconds - now

    def take(self, now: float) -> None:
        self.sent.append(now)
