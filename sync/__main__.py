"""``python -m sync`` runs the crmsync command line."""

from sync.cli import main

main()
