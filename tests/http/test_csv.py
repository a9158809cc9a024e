"""CSV exports (issue 14, item 5): `Accept: text/csv` on a list, called by
staff, answers the whole filtered set as RFC 4180 UTF-8 with a header row,
read back here with Python's `csv` module. Round trip: every item of the
JSON list, all pages, is a row with the same values (objects and arrays as
compact JSON, null as empty); a cell a spreadsheet would run as a formula
starts with "'"; filters and the sort apply; accents survive; more rows than
one internal page (200). Anyone else asking for CSV gets the JSON page."""
import csv
import io
import json
import uuid

import pytest

from accreditation import application, ok, submit
from identity import make_registrar, mint
from programs import as_registrar, staff

APPS = "/v1/accreditation-applications"
CSV = {"Accept": "text/csv"}
TAG = uuid.uuid4().hex[:8]  # this module's applications, by trade name


def cell(value):
    """What the export writes for a JSON value (an independent writing of csv.h)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def rows_of(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = resp.content.decode("utf-8")  # strict: the file is UTF-8
    assert text == "" or text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def all_items(client, path, params=""):
    """Every item of a JSON list, paging to the end."""
    items, cursor = [], None
    while True:
        q = f"limit=200{params}" + (f"&cursor={cursor}" if cursor else "")
        body = ok(client.get(f"{path}?{q}"))
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def assert_round_trip(items, rows):
    header, data = rows[0], rows[1:]
    assert header == list(items[0]), header
    assert len(data) == len(items)
    for item, row in zip(items, data):
        assert row == [cell(item.get(k)) for k in header], (item, row)


@pytest.fixture(scope="module")
def applications(api):
    """205 applications of this module (more than one internal page of 200),
    one with a formula for a legal name, accents in every one."""
    made = []
    for i in range(205):
        doc = application(trade_name=f"Açores Domínios {TAG} {i:03d}",
                          legal_name=f"Sociedade Açoriana de Domínios nº {i}, Lda.")
        made.append(submit(api, doc))
    formula = application(trade_name=f"Fórmula {TAG}", legal_name='=HYPERLINK("http://x.example","y"),Lda.')
    formula["contacts"][0]["name"] = "@Ana \"Quoted\", Silva"
    made.append(submit(api, formula))
    return made


def test_round_trip_of_the_whole_filtered_set(api, applications):
    s = staff(api)
    params = f"&q={TAG}&status=submitted"
    items = all_items(s, APPS, params)
    assert len(items) == 206
    r = s.get(f"{APPS}?{params[1:]}", headers=CSV)
    assert r.headers["Content-Disposition"] == 'attachment; filename="accreditation-applications.csv"'
    rows = rows_of(r)
    assert_round_trip(items, rows)
    # the sort applies too, and limit/cursor do not cut the export
    asc = all_items(s, APPS, params + "&sort=created_at")
    rows = rows_of(s.get(f"{APPS}?{params[1:]}&sort=created_at&limit=3", headers=CSV))
    assert_round_trip(asc, rows)


def test_formulas_are_neutralized_and_text_survives(api, applications):
    s = staff(api)
    rows = rows_of(s.get(f"{APPS}?q=F%C3%B3rmula%20{TAG}", headers=CSV))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["legal_name"] == '\'=HYPERLINK("http://x.example","y"),Lda.'
    assert row["trade_name"] == f"Fórmula {TAG}"
    contacts = json.loads(row["contacts"])
    assert contacts[0]["name"] == "@Ana \"Quoted\", Silva"   # inside JSON text: no formula
    assert row["reason"] == "" and row["vat_number"] == ""   # null
    assert json.loads(row["address"])["city"] == "Porto"
    assert json.loads(row["allowed_actions"]) == ["start-review", "request-changes", "reject", "edit"]
    # accents, byte for byte
    rows = rows_of(s.get(f"{APPS}?q={TAG}%20007", headers=CSV))
    assert rows[1][rows[0].index("trade_name")] == f"Açores Domínios {TAG} 007"
    assert rows[1][rows[0].index("legal_name")] == "Sociedade Açoriana de Domínios nº 7, Lda."


def test_filters_apply_and_an_empty_set_is_an_empty_file(api, applications):
    s = staff(api)
    for i in (1, 2):
        ok(s.post(f"{APPS}/{applications[i]['id']}/start-review"))
    items = all_items(s, APPS, f"&q={TAG}&status=under_review")
    rows = rows_of(s.get(f"{APPS}?q={TAG}&status=under_review", headers=CSV))
    assert len(items) == 2 and {r[0] for r in rows[1:]} == {applications[1]["id"], applications[2]["id"]}
    assert_round_trip(items, rows)
    r = s.get(f"{APPS}?q={TAG}&status=rejected", headers=CSV)
    assert rows_of(r) == [] and r.content == b""
    # a bad filter is still a 400
    assert s.get(f"{APPS}?status=nonsense", headers=CSV).status_code == 400


@pytest.mark.parametrize("accept,is_csv", [
    ("text/csv", True),
    ("text/csv, application/json;q=0.9", True),
    ("application/json;q=0.1, text/csv", True),
    ("text/csv, */*", True),                       # named exactly beats a wildcard
    ("text/*", True),
    ("text/csv;q=0.5, application/json", False),
    ("text/csv, application/json", False),         # a tie is JSON's
    ("*/*", False),
    ("application/json", False),
    ("text/csv;q=0", False),
])
def test_accept_negotiation(api, applications, accept, is_csv):
    r = staff(api).get(f"{APPS}?q={TAG}%20000", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv" if is_csv else "application/json"), r.headers


def test_only_staff_get_csv(api, db):
    rid = make_registrar(db)
    # a registrar's own list, and the public directory, answer their JSON page
    for client, path in ((as_registrar(api, rid), "/v1/enrollments"), (api, "/v1/registrars"),
                         (as_registrar(api, rid), "/v1/registrars")):
        r = client.get(path, headers=CSV)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), path
        assert "Content-Disposition" not in r.headers
    # admin is staff
    r = api.with_token(mint("admin")).get(f"/v1/registrars?q={rid[:8]}", headers=CSV)
    assert r.headers["Content-Disposition"] == 'attachment; filename="registrars.csv"'
    assert len(rows_of(r)) == 2


LISTS = ["/v1/clients", "/v1/audit-events", APPS, "/v1/registrars", "/v1/programs", "/v1/enrollments",
         "/v1/vouchers", "/v1/sitestar/editions", "/v1/events", "/v1/draws", "/v1/outbox", "/v1/webhooks"]


@pytest.mark.parametrize("path", LISTS)
def test_every_staff_list_exports_all_its_items(api, applications, path):
    client = api.with_token(mint("admin"))
    items = all_items(client, path)
    r = client.get(path, headers=CSV)
    name = path.rsplit("/", 1)[1]
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    rows = rows_of(r)
    if path == "/v1/audit-events":
        # the log grows with every request's change: compare what both saw
        seen = {i["id"] for i in items}
        rows = rows[:1] + [row for row in rows[1:] if row[0] in seen]
    if not items:
        assert rows == []
        return
    assert all(len(row) == len(rows[0]) for row in rows)
    assert_round_trip(items, rows)
