"""Exports for people who carry data out of the centre: a vehicle's track as GPX 1.1 or
GeoJSON, cases as a GeoJSON FeatureCollection, a table of cases (the queue as shown, or the
cases of a period) as CSV or XLSX. No Qt: the console's 文件 → 导出 menu and ``main.py
export-track`` / ``export-cases`` write the same files through these modules."""
