"""The classroom app (issue 13): ``govsim app`` serves it; nothing in the engine imports this package.

Nothing is imported here, so ``import govsim.app`` stays cheap and does not need the ``app``
extra: the page is :mod:`govsim.app.page`, the per-browser-session core :mod:`govsim.app.session`.
"""
