"""intake: validates, authorises and publishes measures and progress reports as CloudEvents."""
