"""The demo: its data (``data``), loaded through the apps' services by ``load_demo``."""
