from hacalc.cli.launch import run

run()
