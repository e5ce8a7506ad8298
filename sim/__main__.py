"""``python -m sim`` runs the natosim command line."""

from sim.entry import main

main()
