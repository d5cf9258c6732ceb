"""The process's record: gathered once, written as Markdown or CSV, and made again for a download link."""
