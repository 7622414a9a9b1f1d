# A submitted file named like a module: if anything imports it, the marker appears.
open("__MARQUE__", "w").write(__name__)
raise SystemExit("importé !")
