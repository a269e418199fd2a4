from a2pctl.cli.app import main

main()
