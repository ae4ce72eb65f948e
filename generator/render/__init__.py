"""Rendering: a checked document to the HTML of its official form, shared by the PDF and the web
page so that the two cannot drift. The Jinja environment and the form context (templates), where
page breaks cut merged cells (paginate), a small parser for our own HTML (html_tree), and what the
web page shows beside the form: charts and the comparison with last year (charts, compare)."""
