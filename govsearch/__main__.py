from govsearch.cli import main

main()
