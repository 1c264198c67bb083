"""The article application: read inputs, cut them into sentences, score them, write the results.

`inputs` reads files, directories, JSONL and stdin into `Article`s; `segment` cuts sentences with exact
offsets; `scoring` streams scored articles; `sharding` spreads a run over processes; `writers` and
`html` write JSONL, CSV, tables, summaries and the HTML page; `run` is one `newsstance score` run.
"""
