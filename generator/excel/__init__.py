"""Workbooks, both ways. Out: each form that declares a sheet written in its official layout and
one book a year (workbooks, with the shared cell styles of write). In: any workbook read into a
grid (read), handed to the form that recognises it, and written as YAML in the house style
(importer, yaml_style). The import's checks are the caller's: it gives YAML texts and problems."""

import os

# openpyxl writes with lxml when it is installed, and the bytes differ from its own writer's: the
# same declaration would give another workbook on a machine that happens to have lxml. Its own
# writer everywhere (read before openpyxl is first imported, which is always through this package).
os.environ["OPENPYXL_LXML"] = "False"
