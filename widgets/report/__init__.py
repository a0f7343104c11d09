"""The handover report (交接班报告) as a document: HTML with inline charts, or an A4 PDF."""
