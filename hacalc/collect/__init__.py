"""Live sources: inventories read over the network (network I/O only; the mapping to core types is here too)."""
