"""Errors and logs never show a database password, wherever the URL carries it."""

from __future__ import annotations

import pytest

from failmap import database


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ann:s3cret@db.internal/failmap", "postgresql://ann:***@db.internal/failmap"),
        (
            "postgresql://ann@db.internal/failmap?sslmode=require&password=s3cret",
            "postgresql://ann@db.internal/failmap?sslmode=require&password=***",
        ),
        (
            "postgresql://db.internal/failmap?user=ann&PASSWORD=s3cret&sslpassword=k3y",
            "postgresql://db.internal/failmap?user=ann&PASSWORD=***&sslpassword=***",
        ),
        (
            "postgresql://postgres:@/postgres?host=/tmp/fm/pgdata",
            "postgresql://postgres:***@/postgres?host=/tmp/fm/pgdata",
        ),
        ("postgresql://ann@db.internal/failmap", "postgresql://ann@db.internal/failmap"),
    ],
)
def test_redact_hides_every_password(url: str, shown: str) -> None:
    assert database.redact(url) == shown
    assert "s3cret" not in database.redact(url)


def test_an_unreachable_database_error_does_not_show_the_password() -> None:
    url = "postgresql://ann@127.0.0.1:1/failmap?password=s3cret&connect_timeout=1"

    with pytest.raises(database.DatabaseUnreachable) as raised:
        database.connect(url)

    assert "s3cret" not in str(raised.value)
    assert "password=***" in str(raised.value)
