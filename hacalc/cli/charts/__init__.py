"""Charts for ``--plot``: text below the table (``terminal``) or an SVG/PNG file (``files``, matplotlib).

``option`` is what the commands import at start-up and stays small; the rest is imported only on the plot path.
"""
