"""Space: coordinate systems, the unit grid and its street/community partition, road network."""
