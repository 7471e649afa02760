"""The managers' workbook: tabs built from the warehouse, written to Google Sheets or a local .xlsx; the
managers' edits and approvals read back, validated and recorded; the social-posts queue; the digest."""
