"""The use cases of the Tracker application, grouped by what they act on."""
