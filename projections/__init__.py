"""The read side: view tables kept up to date from the event log, and the figures built on them."""
