"""Stage 1: read contract files into fields with evidence."""
