"""PDF documents a council reads: the energy diagnosis of public buildings, the investment plan and the
readiness diagnosis — HTML/CSS templates (Jinja2, the one catalogue) rendered by WeasyPrint, with the
same chart definitions as the SVG endpoints, embedded fonts, page numbers, a table of contents and
tables whose headers repeat on every page."""
