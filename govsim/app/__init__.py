"""The classroom app (issue 13): ``govsim app`` serves it; nothing in the engine imports this package."""
