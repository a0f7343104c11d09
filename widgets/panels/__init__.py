"""The docked panels around the map: case queues and their table model, case detail,
alerts and their sound, the sanitation fleet, the status bar."""
