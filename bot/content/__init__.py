"""Content: typed models, loading with line numbers, checks and reports."""
