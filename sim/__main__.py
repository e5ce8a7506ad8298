"""``python -m sim`` runs the natosim command line."""

from sim.cli import main

main()
