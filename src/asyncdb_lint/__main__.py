from asyncdb_lint.cli import main

main()
