"""``python -m bench``: our figures beside Telethon's and kurigram's, measured in the same run.

See :mod:`bench.__main__` for the command line and :mod:`bench.report` for how
ratios and targets are computed.
"""
