"""The timeline strip under the map (``strip``) and the cursor behind it (``controller``):
play, seek, step and loop through a shift log, or rewind the live console."""
