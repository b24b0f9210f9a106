"""The round's evaluation against the success criteria: figures, charts, the report (page and PDF), comparisons."""
