"""One folder per source: `source.yaml` (declarative metadata) beside `parser.py` (document -> events).

Parsers know neither the database nor the screen: they turn one stored document into records with
provenance. Fetching, archiving, storage and exports belong to the framework (`base`, `build`, `sync`).
"""
