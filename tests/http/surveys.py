"""Builders for the satisfaction survey tests (issue 15, area A): surveys in
any status through the API, a registrar's answers, and the database's view
of them."""
import copy
import uuid

from accreditation import ok
from programs import as_registrar, at, staff

SRV = "/v1/surveys"

QUESTIONS = [
    {"id": "geral", "text": {"pt": "Satisfação geral?", "en": "Overall satisfaction?"}, "kind": "scale",
     "required": True, "min": 1, "max": 5},
    {"id": "nps", "text": {"pt": "Recomendaria o .PT?", "en": "Would you recommend .PT?"}, "kind": "scale",
     "required": True, "min": 0, "max": 10},
    {"id": "canais", "text": {"pt": "Que canais usou?", "en": "Which channels?"}, "kind": "choice",
     "options": [{"id": "email", "text": {"pt": "Email", "en": "Email"}},
                 {"id": "telefone", "text": {"pt": "Telefone", "en": "Phone"}},
                 {"id": "siga", "text": {"pt": "SIGA", "en": "SIGA"}}], "multiple": True},
    {"id": "preferido", "text": {"pt": "Canal preferido?", "en": "Preferred channel?"}, "kind": "choice",
     "options": [{"id": "email", "text": {"pt": "Email", "en": "Email"}},
                 {"id": "siga", "text": {"pt": "SIGA", "en": "SIGA"}}]},
    {"id": "sugestoes", "text": {"pt": "Sugestões?", "en": "Suggestions?"}, "kind": "text", "max_length": 50},
]


def questions():
    return copy.deepcopy(QUESTIONS)


def survey_body(**over):
    body = {"year": 2027, "title": f"Estudo de satisfação {uuid.uuid4().hex[:8]}",
            "opens_at": at(-1), "closes_at": at(30), "questions": questions()}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


STEPS = {"draft": [], "open": ["open"], "closed": ["open", "close"], "published": ["open", "close", "publish"]}


def create_survey(api, status="draft", **over):
    s = staff(api)
    sv = ok(s.post(SRV, survey_body(**over)), 201)
    for action in STEPS[status]:
        sv = ok(s.post(f"{SRV}/{sv['id']}/{action}"))
    return sv


def move(api, sid, *actions):
    for action in actions:
        ok(staff(api).post(f"{SRV}/{sid}/{action}"))


def answer(api, rid, sid, answers):
    return as_registrar(api, rid).request("PUT", f"{SRV}/{sid}/responses/mine", json_body={"answers": answers})


def good(**over):
    a = {"geral": 4, "nps": 9, "canais": ["email", "siga"], "preferido": "siga", "sugestoes": "Mais formação."}
    a.update(over)
    return {k: v for k, v in a.items() if v is not ...}


def patch_survey(api, sid, body, caller=None):
    caller = caller or staff(api)
    etag = caller.get(f"{SRV}/{sid}").headers["ETag"]
    return caller.patch(f"{SRV}/{sid}", body, headers={"If-Match": etag})


def survey_row(db, sid):
    return db.execute("SELECT status, title, version, jsonb_array_length(questions) FROM surveys WHERE id = %s",
                      (sid,)).fetchone()


def stored_answers(db, sid, rid=None):
    if rid is None:
        return db.execute("SELECT count(*) FROM survey_responses WHERE survey_id = %s", (sid,)).fetchone()[0]
    row = db.execute("SELECT answers FROM survey_responses WHERE survey_id = %s AND registrar_id = %s",
                     (sid, rid)).fetchone()
    return row[0] if row else None


def survey_key(db, sid):
    return bytes(db.execute("SELECT pseudonym_key FROM surveys WHERE id = %s", (sid,)).fetchone()[0])
