"""A stored file is served with the same headers whatever stores it: an attachment of
its size, never sniffed nor cached by a shared cache, with a validator (ETag and
Last-Modified) that answers 304, and byte ranges."""

from __future__ import annotations

from recrutement.accounts.models import Role
from recrutement.candidates.profile import existing_profile
from recrutement.files.stores import file_store
from tests.candidates.test_profile import URL, pdf, profile_form
from tests.support import TINY_PDF

CV = f"{URL}/cv"


def get(client, **headers):
    with client.get(CV, headers=headers) as response:
        response.get_data()
    return response


def test_a_stored_file_is_served_whole_with_its_validators(client, login_as):
    user = login_as(Role.CANDIDATE)
    assert client.post(URL, data=profile_form(cv=pdf(name="mon cv é.pdf"))).status_code == 302
    stored = existing_profile(user).default_cv
    info = file_store().info(stored.stored_name)

    response = get(client)
    assert response.status_code == 200
    assert response.data == TINY_PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(TINY_PDF)) == str(info.size)
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"mon cv e.pdf\"; filename*=UTF-8''mon%20cv%20%C3%A9.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == f'"{info.etag}"'
    assert response.last_modified is not None
    assert int(response.last_modified.timestamp()) == int(info.modified)

    again = get(client, **{"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""

    part = get(client, Range="bytes=0-4")
    assert part.status_code == 206
    assert part.data == TINY_PDF[:5] == b"%PDF-"
    assert part.headers["Content-Range"] == f"bytes 0-4/{len(TINY_PDF)}"
