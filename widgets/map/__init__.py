"""The map wall: district, grid, cases, vehicles, trails, alerts and heatmap as a few large
pyqtgraph items (``wall``), and the building blocks of its layers (``layers``)."""
