"""Documents in the form offices file (督办通报, 年度报告): .docx in the GB/T 9704 layout."""
