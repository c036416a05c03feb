"""The classroom app (issue 13): a Solara page served by ``govsim app``.

Nothing is imported here, so ``import govsim.app`` stays cheap and does not need the ``app``
extra; the page is :mod:`govsim.app.page`. The app reads only govsim's public API; nothing in the
engine imports this package.
"""
