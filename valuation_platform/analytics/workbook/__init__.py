"""Pure rules of the managers' workbook: which cells a manager changed, whether each change is valid,
the cell budget of a spreadsheet, and the text of generated social posts."""
