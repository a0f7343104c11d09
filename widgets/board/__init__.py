"""The 量化考核 board: the shift lead's ranking of departments, regions and people."""
