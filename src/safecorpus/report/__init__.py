"""The assessment report: collected from stored results, checked clause by clause, rendered to HTML,
PDF and JSON, with the filing attachments."""
