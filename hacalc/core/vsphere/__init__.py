"""vSphere HA admission control and the restart check, over the typed cluster model in ``model``."""
