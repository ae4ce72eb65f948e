"""The filing PDF: print HTML from render to PDF/A-3b with WeasyPrint, the YAML attached, the
footer laid out once per page count, several forms at a time (writer); the fonts' subsets cut to
bare CFF afterwards (compact). Takes loaded documents and font settings; gives files in output/pdf."""
