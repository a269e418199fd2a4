from a2pctl.cli import main

main()
