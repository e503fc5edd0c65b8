"""What several dialog test modules do: walk the survey as a resident, make and sign in staff.

Kept out of the test modules so that no test module imports another.
"""

from __future__ import annotations

import re

from sqlalchemy import insert

from dialog import auth
from dialog.demo import DemoGenerator
from dialog.extensions import db
from dialog.models import Response, User, utcnow
from dialog.services import catalog
from surveys import visible_questions

PAGE_RE = re.compile(r"/s/trygghet/p/(\d+)")


def fill(page, answers):
    """Valid answers for every visible question of a page (the first alternatives)."""
    data: dict[str, list[str]] = {}
    for q in visible_questions(page, answers):
        if q.type == "single_choice" or q.type == "multiple_choice":
            data[q.id] = [q.options[0].code]
        elif q.type == "pick_top":
            data[q.id] = [o.code for o in q.options[: q.max_selections]]
        elif q.type == "likert_matrix":
            for name in q.field_names():
                data[name] = [q.scale.options[-2].code]
        elif q.type == "free_text":
            data[q.id] = ["Bättre belysning vid busstationen – <b>tack</b>"]
        elif q.type == "place":
            # One place from the list, with the first reason of each choice follow-up.
            data[f"{q.id}.1.place"] = [q.places[0].code]
            data.update({f"{q.id}.1.{f.id}": [f.options[0].code] for f in q.follow_up
                         if f.options})
        else:
            data[q.id] = [str(int(q.min_value or 0))]
    return data


def filled_marks(question):
    """The stored answer to a place question that :func:`fill` answered."""
    mark = {"place": question.places[0].code, "lat": None, "lon": None, "text": None}
    for follow_up in question.follow_up:
        if follow_up.options:
            code = follow_up.options[0].code
            mark[follow_up.id] = [code] if follow_up.type == "multiple_choice" else code
    return [mark]


def as_answers(data):
    return {k: (v if len(v) > 1 else v[0]) for k, v in data.items()}


def start(client, lang="sv"):
    page = client.get(f"/{lang}/s/trygghet/")
    assert page.status_code == 200
    return page


def begin(client, csrf, lang="sv"):
    page = start(client, lang)
    resp = client.post(f"/{lang}/s/trygghet/", data={"csrf_token": csrf(page.text)})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/{lang}/s/trygghet/p/1")
    return resp


def walk(client, csrf, survey, lang="sv", stop_after=None):
    """Answer page after page; returns the final redirect location."""
    begin(client, csrf, lang)
    number, answers = 1, {}
    while True:
        page_html = client.get(f"/{lang}/s/trygghet/p/{number}")
        assert page_html.status_code == 200, page_html.text[:500]
        page = survey.pages[number - 1]
        data = fill(page, answers)
        answers.update(as_answers(data))
        resp = client.post(f"/{lang}/s/trygghet/p/{number}",
                           data={**data, "csrf_token": csrf(page_html.text), "action": "next"})
        assert resp.status_code == 302, resp.text[:2000]
        location = resp.headers["Location"]
        if stop_after is not None and number >= stop_after:
            return location
        match = PAGE_RE.search(location)
        if not match:
            return location
        number = int(match.group(1))


PASSWORD = "korrekt-häst-batteri"


def make_user(app, email="samordnare@kommun.se", role="staff", password=PASSWORD):
    with app.app_context():
        return auth.create_user(email, password, role).id


def login(client, csrf, email="samordnare@kommun.se", password=PASSWORD, next_url=None):
    page = client.get("/staff/login")
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": csrf(page.text), "email": email,
                                  "password": password})


def sign_in(app, client, role: str = "councillor", language: str = "sv") -> None:
    """A signed-in account of the role, as Flask-Login and the idle check expect it."""
    with app.app_context():
        user = User(email=f"{role}@kommun.se", password_hash="!", role=role,
                    language=language)
        db.session.add(user)
        db.session.commit()
        fields = auth.session_fields(user)
    with client.session_transaction() as session:
        session.update(fields)


def sign_in_with_password(app, client, csrf, role: str) -> None:
    """A new account of the role, signed in through the login form."""
    email = f"{role}@kommun.se"
    make_user(app, email, role)
    resp = login(client, csrf, email)
    assert resp.status_code == 302, resp.text[:500]


def seed(app, count: int, *, seed: int = 7, slug: str = "trygghet") -> None:
    """Complete demo responses, inserted the way ``flask seed-demo`` does."""
    with app.app_context():
        record = catalog.find_survey(slug)
        survey = catalog.definition_of(record.current_version)
        generator = DemoGenerator(survey, seed)
        now = utcnow()
        rows = [{"version_id": record.current_version_id, "status": "complete",
                 "token_hash": None, "channel": generator.channel(),
                 "language": generator.language(), "page_index": 0,
                 "answers": generator.response(), "started_at": now, "updated_at": now,
                 "completed_at": now} for _ in range(count)]
        db.session.execute(insert(Response), rows)
        db.session.commit()


def remove_text(client, url: str, data: dict):
    """Remove free text as staff do: the confirmation page first, then confirm what it showed.

    Returns (confirmation page, response to the confirmation)."""
    shown = client.post(url, data=data)
    assert shown.status_code == 200, shown.text[:500]
    digest = re.search(r'name="digest" value="(\w+)"', shown.text).group(1)
    return shown, client.post(url, data={**data, "confirmed": "1", "digest": digest})
