"""Calendars (issue 13): one event's and the feed's iCalendar (RFC 5545),
parsed here by hand: CRLF line ends, lines folded at 75 octets without
splitting a UTF-8 character, text escaping, UID stable across edits while
SEQUENCE counts every change, STATUS following the event, drafts for staff
only, the feed's selection and order, caching."""
import datetime
import uuid

from accreditation import ok
from events import EVT, FEED, create_event, patch_event, staff
from identity import make_registrar
from programs import as_registrar, problem


def octet_lines(resp):
    """The physical lines of an iCalendar answer, checked: CRLF ends only, each at
    most 75 octets and each valid UTF-8 by itself (a fold never splits a character)."""
    raw = resp.content
    assert raw.endswith(b"\r\n"), raw[-20:]
    assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF"
    assert b"\r" not in raw.replace(b"\r\n", b""), "a bare CR"
    lines = raw.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # raises if a fold split a character
    return lines


def unfold(resp):
    """The logical content lines: a line starting with one space continues the previous one."""
    logical = []
    for line in octet_lines(resp):
        if line.startswith(b" "):
            assert logical, "a continuation line first"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [x.decode("utf-8") for x in logical]


def split(line):
    """(NAME, {params}, raw value) of a content line."""
    head, _, value = line.partition(":")
    name, *params = head.split(";")
    return name.upper(), dict(p.split("=", 1) for p in params), value


def unescape(value):
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            n = value[i + 1]
            out.append({"n": "\n", "N": "\n", "\\": "\\", ";": ";", ",": ","}[n])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse(resp):
    """{'calendar': {NAME: raw}, 'events': [{NAME: raw}]} of one VCALENDAR."""
    lines = unfold(resp)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR", (lines[0], lines[-1])
    cal, events, current = {}, [], None
    for line in lines[1:-1]:
        name, params, value = split(line)
        if (name, value) == ("BEGIN", "VEVENT"):
            assert current is None
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            events.append(current)
            current = None
        elif current is not None:
            assert name not in current, f"{name} twice in a VEVENT"
            current[name] = value
        else:
            cal[name] = value
    assert current is None
    return {"calendar": cal, "events": events}


def basic(ts):
    """RFC 3339 UTC → the iCalendar UTC basic form."""
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")
    return t.strftime("%Y%m%dT%H%M%SZ")


def ics(api, eid, caller=None):
    r = (caller or api).get(f"{EVT}/{eid}/calendar.ics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].replace(" ", "").lower() == "text/calendar;charset=utf-8"
    return r


def vevent(api, eid, caller=None):
    cal = parse(ics(api, eid, caller))
    assert len(cal["events"]) == 1
    return cal["events"][0]


def test_one_events_calendar(api):
    e = create_event(api, kind="summit", title="Portugal Digital Summit — stand .PT", location="FIL, Lisboa",
                     description="Stand da .PT no pavilhão 1.", starts_at="2031-10-14T09:00:00Z",
                     ends_at="2031-10-15T18:00:00Z")
    r = ics(api, e["id"])
    assert r.headers["Cache-Control"] == "public, max-age=60"
    assert r.headers["ETag"]
    cal = parse(r)
    assert cal["calendar"]["VERSION"] == "2.0"
    assert cal["calendar"]["PRODID"] == "-//.PT//Parceria//PT"
    assert cal["calendar"]["CALSCALE"] == "GREGORIAN"
    assert cal["calendar"]["METHOD"] == "PUBLISH"
    [v] = cal["events"]
    assert v["UID"] == f"{e['id']}@parceria.dns.pt"
    assert v["DTSTART"] == "20311014T090000Z" and v["DTEND"] == "20311015T180000Z"
    assert unescape(v["SUMMARY"]) == "Portugal Digital Summit — stand .PT"
    assert unescape(v["LOCATION"]) == "FIL, Lisboa"
    assert v["LOCATION"] == "FIL\\, Lisboa"
    assert unescape(v["DESCRIPTION"]) == "Stand da .PT no pavilhão 1."
    assert v["STATUS"] == "CONFIRMED"
    assert v["CATEGORIES"] == "summit"
    assert v["SEQUENCE"] == "1"  # created (0), published (1)
    now = ok(api.get(f"{EVT}/{e['id']}"))
    assert v["LAST-MODIFIED"] == basic(now["updated_at"]) and v["DTSTAMP"] == basic(now["updated_at"])
    # a second read is the same file, and 304 on its ETag
    assert ics(api, e["id"]).content == r.content
    again = api.get(f"{EVT}/{e['id']}/calendar.ics", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_no_description_no_description_line(api):
    v = vevent(api, create_event(api)["id"])
    assert "DESCRIPTION" not in v


def test_text_is_escaped(api):
    description = "Sala 2; piso 1, ala B\nLevar crachá \\ identificação\nFim."
    title = "Formação: DNSSEC, na prática; parte 1"
    e = create_event(api, kind="training", title=title, description=description, location="Porto; Sala 3, Piso 0")
    v = vevent(api, e["id"])
    assert v["DESCRIPTION"] == "Sala 2\\; piso 1\\, ala B\\nLevar crachá \\\\ identificação\\nFim."
    assert unescape(v["DESCRIPTION"]) == description
    assert v["SUMMARY"] == "Formação: DNSSEC\\, na prática\\; parte 1"
    assert unescape(v["SUMMARY"]) == title
    assert unescape(v["LOCATION"]) == "Porto; Sala 3, Piso 0"


def test_long_lines_fold_at_75_octets_without_splitting_characters(api):
    # 2-, 3- and 4-octet characters so that every fold point falls in one of them somewhere
    title = " ".join(["Conferência anual .PT — ação, inovação e confiança 🇵🇹"] * 4)[:199].strip()
    line = " ".join(["Çãõéàü€ — 🎲 linha de descrição bastante longa"] * 3)
    description = "\n".join([line] * 8)
    e = create_event(api, title=title, description=description)
    r = ics(api, e["id"])
    lines = octet_lines(r)
    assert any(len(x) > 70 for x in lines) and any(x.startswith(b" ") for x in lines)
    v = parse(r)["events"][0]
    assert unescape(v["SUMMARY"]) == title
    assert unescape(v["DESCRIPTION"]) == description


def test_uid_stays_while_sequence_counts_every_change(api):
    s = staff(api)
    e = create_event(api, status="draft", title="Encontro de Registrars")
    first = vevent(api, e["id"], s)
    assert (first["SEQUENCE"], first["STATUS"]) == ("0", "TENTATIVE")
    ok(s.post(f"{EVT}/{e['id']}/publish"))
    published = vevent(api, e["id"])
    assert (published["SEQUENCE"], published["STATUS"]) == ("1", "CONFIRMED")
    edited = patch_event(api, e["id"], {"title": "Encontro de Registrars 2027", "starts_at": "2031-03-10T10:00:00Z",
                                        "ends_at": "2031-03-10T17:30:00Z"})
    v = vevent(api, e["id"])
    assert v["UID"] == first["UID"] == f"{e['id']}@parceria.dns.pt"
    assert v["SEQUENCE"] == "2"
    assert unescape(v["SUMMARY"]) == "Encontro de Registrars 2027"
    assert (v["DTSTART"], v["DTEND"]) == ("20310310T100000Z", "20310310T173000Z")
    assert v["LAST-MODIFIED"] == basic(edited["updated_at"])
    ok(s.post(f"{EVT}/{e['id']}/cancel"))
    v = vevent(api, e["id"])
    assert (v["UID"], v["SEQUENCE"], v["STATUS"]) == (first["UID"], "3", "CANCELLED")


def test_a_closed_event_is_confirmed(api):
    assert vevent(api, create_event(api, status="closed")["id"])["STATUS"] == "CONFIRMED"


def test_a_draft_calendar_is_for_staff_only(api, db):
    e = create_event(api, status="draft")
    problem(api.get(f"{EVT}/{e['id']}/calendar.ics"), 404, "not-found")
    problem(as_registrar(api, make_registrar(db)).get(f"{EVT}/{e['id']}/calendar.ics"), 404, "not-found")
    assert vevent(api, e["id"], staff(api))["STATUS"] == "TENTATIVE"
    problem(api.get(f"{EVT}/{uuid.uuid4()}/calendar.ics"), 404, "not-found")


def feed(api):
    r = api.get(FEED)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].replace(" ", "").lower() == "text/calendar;charset=utf-8"
    return r


def uids(cal):
    return [v["UID"].split("@")[0] for v in cal["events"]]


def test_the_feed_holds_every_public_event_in_order(api):
    year = 2070 + uuid.uuid4().int % 5
    made = {}
    for status, month in (("published", 5), ("cancelled", 3), ("closed", 4), ("draft", 2)):
        made[status] = create_event(api, status=status, starts_at=f"{year}-{month:02d}-01T09:00:00Z",
                                    ends_at=f"{year}-{month:02d}-01T18:00:00Z")["id"]
    # two at the same moment: by id
    twins = sorted(create_event(api, starts_at=f"{year}-06-01T09:00:00Z", ends_at=f"{year}-06-01T10:00:00Z")["id"]
                   for _ in range(2))
    r = feed(api)
    assert r.headers["Cache-Control"] == "public, max-age=60"
    cal = parse(r)
    assert cal["calendar"]["VERSION"] == "2.0" and cal["calendar"]["PRODID"] == "-//.PT//Parceria//PT"
    assert cal["calendar"]["METHOD"] == "PUBLISH"
    assert cal["calendar"]["X-WR-CALNAME"] == ".PT — Parceria"
    ids = uids(cal)
    assert made["draft"] not in ids
    mine = [i for i in ids if i in set(made.values()) | set(twins)]
    assert mine == [made["cancelled"], made["closed"], made["published"]] + twins
    by_id = {v["UID"].split("@")[0]: v for v in cal["events"]}
    assert by_id[made["cancelled"]]["STATUS"] == "CANCELLED"
    assert by_id[made["closed"]]["STATUS"] == "CONFIRMED"
    assert all(v["STATUS"] != "TENTATIVE" for v in cal["events"])
    # the whole feed is ordered by start, then id
    starts = [(v["DTSTART"], v["UID"]) for v in cal["events"]]
    assert starts == sorted(starts)
    # the feed's entry is the event's own
    assert by_id[made["published"]] == vevent(api, made["published"])
    # ETag and 304
    again = api.get(FEED, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    # staff read the same feed: no drafts there either
    assert made["draft"] not in uids(parse(feed(staff(api))))


def test_the_feed_keeps_a_year_of_past_events(api):
    def past(days_ago):
        t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)
        start, end = t - datetime.timedelta(hours=8), t
        return create_event(api, starts_at=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            ends_at=end.strftime("%Y-%m-%dT%H:%M:%SZ"))["id"]
    recent, old = past(300), past(400)
    ids = uids(parse(feed(api)))
    assert recent in ids and old not in ids
    # the old one still has its own calendar
    assert vevent(api, old)["UID"] == f"{old}@parceria.dns.pt"


def test_the_feed_changes_when_an_event_changes(api):
    e = create_event(api)
    first = feed(api)
    patch_event(api, e["id"], {"location": "Coimbra, Convento São Francisco"})
    second = feed(api)
    assert second.headers["ETag"] != first.headers["ETag"]
    v = {x["UID"]: x for x in parse(second)["events"]}[f"{e['id']}@parceria.dns.pt"]
    assert unescape(v["LOCATION"]) == "Coimbra, Convento São Francisco"
    assert api.get(FEED, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_the_feed_holds_at_most_500_events_the_earliest_first(api, db):
    # inserted directly: 520 published events at the far end of the calendar
    db.execute("INSERT INTO events (kind, title, location, starts_at, ends_at, status)"
               " SELECT 'training', 'Formação ' || n, 'Lisboa',"
               " timestamptz '2099-01-01 09:00Z' + n * interval '1 hour',"
               " timestamptz '2099-01-01 09:30Z' + n * interval '1 hour', 'published'"
               " FROM generate_series(1, 520) AS n")
    create_event(api)  # and one through the API, so nothing cached hides the others
    cal = parse(feed(api))
    assert len(cal["events"]) == 500
    last = db.execute("SELECT id::text FROM events WHERE title = 'Formação 520'").fetchone()[0]
    assert last not in uids(cal)
    starts = [(v["DTSTART"], v["UID"]) for v in cal["events"]]
    assert starts == sorted(starts)
