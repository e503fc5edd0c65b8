"""Downloads for staff: responses (CSV, Excel), the codebook and the ranking workbook."""
