"""The write side: aggregates, their events, the Tracker application and its rules."""
