"""The JSON API under ``/api/v1``: one router per resource, mounted by ``main.create_app``."""
