"""What every duban service needs: event contracts, settings, logging, broker and database plumbing."""
