"""Page bodies; each ``pages/*.py`` file calls one ``render()``."""
