from hacalc.cli.app import run

run()
