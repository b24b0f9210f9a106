"""The dissemination register: who was told about the programme, and how far each has come towards running it."""
