"""``python -m obligraph.app.cli``: the same as the ``obligraph`` command."""

from obligraph.app.cli import main

main()
