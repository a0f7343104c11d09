"""Raster basemap tiles without Qt: the XYZ tile grid, tile stores (MBTiles) and sources.

The map wall draws them under the district (``widgets/map``); the demo's offline basemap is
rendered into the same MBTiles form, so a fetched, a cached and a built tile are one thing.
"""
