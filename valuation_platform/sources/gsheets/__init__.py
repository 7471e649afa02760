"""Google Sheets through gspread: the managers' workbook."""
