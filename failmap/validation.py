"""The error a validation raises: what is wrong with each field of the input, all at once."""

from __future__ import annotations

from collections.abc import Mapping


class InvalidFields(ValueError):
    """Input that cannot be used; `errors` maps each field to what is wrong with it.

    Every surface reports it the same way (the API as a 422 naming each field, the dashboard
    beside each field), so the checks of a fix and of a configuration share this one type.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))
