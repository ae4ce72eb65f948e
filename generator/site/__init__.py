"""The published outputs beside the PDF: the static disclosure website with its search index and
downloads (build, export), the bureau's desk (review) and the local preview server (serve). Take
loaded, checked documents; give folders below output/."""
