"""The core, below every stage: what a problem is and how each is worded (problems, catalogue), the
field types and field paths every form is built from (fields, fieldpath), what a form plug-in is
and the registry that finds them (form, registry), one loaded file (document), and the plumbing
every stage shares: finding files and writing them atomically (files), git dates (history), fonts,
and the state that lets an unchanged build stop early (unchanged). Imports no stage and no form."""
