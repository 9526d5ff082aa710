"""Request and response models of the JSON API, kept apart from the tables in ``models.py``."""
