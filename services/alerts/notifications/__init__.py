"""Reminders where people read them: alerts turned into Chinese messages to WeCom and DingTalk group robots and SMS.

- occasions.py (domain): when an open alert owes a reminder (临近提醒, 逾期催办), and the once-per-day rule;
- messages.py (domain): the message in Chinese (who, which measure, how late, what to do), whom it @-mentions;
- adapters/: one module per vendor, speaking its documented request and reply format;
- storage.py: channels, notifications and urges in alerts' own collections; contacts from the published registry;
- notifier.py: the use cases: plan the day's reminders, urge on demand, deliver (rate-limited, retried).
"""
