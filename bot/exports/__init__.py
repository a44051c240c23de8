"""Panel report exports: documents, spreadsheets and charts built from the core's report data."""
