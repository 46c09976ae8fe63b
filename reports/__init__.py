"""Stage 3: per-document results, reports and batch summaries."""
