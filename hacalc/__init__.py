"""hacalc: an availability calculator for virtualized clusters and the services on them."""

__version__ = "0.1.0"
