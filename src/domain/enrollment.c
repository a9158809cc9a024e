/* Enrollments: the status machine (tabled in enrollment.h) as data for the
 * machine engine, and eligibility. Pure. */
#include "enrollment.h"

#include "machine.h"
#include "role.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define B(s) MACHINE_BIT(ENROLLMENT_##s)
#define E(e) ENROLLMENT_EFFECT_##e

static const char *const states[ENROLLMENT_STATUS_COUNT] = {
    [ENROLLMENT_PENDING] = "pending",     [ENROLLMENT_ACTIVE] = "active",
    [ENROLLMENT_REJECTED] = "rejected",   [ENROLLMENT_WITHDRAWN] = "withdrawn",
    [ENROLLMENT_SUSPENDED] = "suspended",
};

static const struct machine_action actions[ENROLLMENT_ACTION_COUNT] = {
    [ENROLLMENT_ACT_APPROVE] = {"approve", STAFF, B(PENDING), ENROLLMENT_ACTIVE, false,
                                E(REGISTRAR) | E(PREREQUISITES)},
    [ENROLLMENT_ACT_REJECT] = {"reject", STAFF, B(PENDING), ENROLLMENT_REJECTED, true, 0},
    [ENROLLMENT_ACT_SUSPEND] = {"suspend", STAFF, B(ACTIVE), ENROLLMENT_SUSPENDED, true,
                                E(DEPENDENTS)},
    [ENROLLMENT_ACT_REINSTATE] = {"reinstate", STAFF, B(SUSPENDED), ENROLLMENT_ACTIVE, false,
                                  E(REGISTRAR) | E(PREREQUISITES) | E(CAPACITY)},
    [ENROLLMENT_ACT_WITHDRAW] = {"withdraw", ROLE_REGISTRAR, B(PENDING) | B(ACTIVE),
                                 ENROLLMENT_WITHDRAWN, false, E(REGISTRAR) | E(DEPENDENTS)},
};

const struct machine enrollment_machine = {states, ENROLLMENT_STATUS_COUNT, actions,
                                           ENROLLMENT_ACTION_COUNT};

void enrollment_row_cleanup(struct enrollment_row *row)
{
    json_decref(row->application);
    row->application = NULL;
    free(row->reason);
    row->reason = NULL;
}

const char *enrollment_status_name(enum enrollment_status status)
{
    return (unsigned)status < ENROLLMENT_STATUS_COUNT ? states[status] : NULL;
}

bool enrollment_status_parse(const char *name, enum enrollment_status *out)
{
    int i = machine_state(&enrollment_machine, name);
    if (i >= 0)
        *out = (enum enrollment_status)i;
    return i >= 0;
}

unsigned enrollment_ruled_out(const struct enrollment_row *row)
{
    bool selecting = row->program_kind != PROGRAM_CALL || row->program_status == PROGRAM_CLOSED ||
                     row->program_status == PROGRAM_ARCHIVED;
    return selecting ? 0 : MACHINE_BIT(ENROLLMENT_ACT_APPROVE) | MACHINE_BIT(ENROLLMENT_ACT_REJECT);
}

/* --- eligibility -------------------------------------------------------- */

static const char *const code_names[ELIGIBILITY_CODE_COUNT] = {
    [ELIGIBILITY_ACCREDITED] = "accredited", [ELIGIBILITY_ENROLLABLE] = "enrollable",
    [ELIGIBILITY_WINDOW] = "window",         [ELIGIBILITY_REQUIRES] = "requires",
    [ELIGIBILITY_DUPLICATE] = "duplicate",   [ELIGIBILITY_CAPACITY] = "capacity",
};

static void add(struct eligibility *out, enum eligibility_code code, const char *subject,
                bool passed)
{
    if (out->count < ELIGIBILITY_MAX_CHECKS) {
        struct eligibility_check *c = &out->checks[out->count++];
        c->code = code;
        snprintf(c->subject, sizeof c->subject, "%s", subject ? subject : "");
        c->passed = passed;
    }
    out->eligible = out->eligible && passed;
}

static bool in_window(const struct eligibility_facts *f)
{
    return f->status == PROGRAM_OPEN && (!f->has_opens || f->now_us >= f->opens_us) &&
           (!f->has_closes || f->now_us < f->closes_us);
}

void eligibility_judge(const struct eligibility_facts *f, unsigned mask, struct eligibility *out)
{
    memset(out, 0, sizeof *out);
    out->eligible = true;
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_ACCREDITED))
        add(out, ELIGIBILITY_ACCREDITED, NULL,
            f->registrar_found && f->registrar_status == REGISTRAR_ACCREDITED);
    if ((mask & ELIGIBILITY_BIT(ELIGIBILITY_ENROLLABLE)) && f->kind == PROGRAM_CONTEST)
        add(out, ELIGIBILITY_ENROLLABLE, NULL, false);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_WINDOW))
        add(out, ELIGIBILITY_WINDOW, NULL, in_window(f));
    for (size_t i = 0; (mask & ELIGIBILITY_BIT(ELIGIBILITY_REQUIRES)) && i < f->nrequires; i++)
        add(out, ELIGIBILITY_REQUIRES, f->requires[i], f -> requires_active[i]);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_DUPLICATE))
        add(out, ELIGIBILITY_DUPLICATE, NULL, !f->duplicate);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_CAPACITY))
        add(out, ELIGIBILITY_CAPACITY, NULL,
            f->capacity <= 0 || f->taken + f->adding <= f->capacity);
}

const struct eligibility_check *eligibility_refusal(const struct eligibility *e)
{
    for (size_t i = 0; i < e->count; i++)
        if (!e->checks[i].passed)
            return &e->checks[i];
    return NULL;
}

enum status eligibility_status(const struct eligibility_facts *facts,
                               const struct eligibility_check *check)
{
    switch (check->code) {
    case ELIGIBILITY_ACCREDITED:
        return facts->registrar_found && facts->registrar_status == REGISTRAR_SUSPENDED
                   ? ST_REGISTRAR_SUSPENDED
                   : ST_FORBIDDEN;
    case ELIGIBILITY_ENROLLABLE:
    case ELIGIBILITY_REQUIRES:
        return ST_NOT_ELIGIBLE;
    case ELIGIBILITY_WINDOW:
        return ST_WINDOW_CLOSED;
    case ELIGIBILITY_DUPLICATE:
        return ST_CONFLICT;
    case ELIGIBILITY_CAPACITY:
        return ST_CAPACITY_FULL;
    }
    return ST_INVALID;
}

const char *eligibility_code_name(enum eligibility_code code)
{
    return (unsigned)code < ELIGIBILITY_CODE_COUNT ? code_names[code] : NULL;
}

bool eligibility_code_parse(const char *name, enum eligibility_code *out)
{
    for (int i = 0; name != NULL && i < ELIGIBILITY_CODE_COUNT; i++)
        if (strcmp(name, code_names[i]) == 0)
            return *out = (enum eligibility_code)i, true;
    return false;
}

void eligibility_code_text(const struct eligibility_check *check, char *out, size_t cap)
{
    if (check->code == ELIGIBILITY_REQUIRES)
        snprintf(out, cap, "requires:%s", check->subject);
    else
        snprintf(out, cap, "%s", code_names[check->code]);
}

/* Each check's message when it passes and when it fails, in English and
 * Portuguese; %s is the program required. */
static const char *const messages[ELIGIBILITY_CODE_COUNT][2][2] = {
    [ELIGIBILITY_ACCREDITED] = {{"The registrar is not accredited: it is suspended or terminated.",
                                 "O registrar não está acreditado: está suspenso ou terminado."},
                                {"The registrar is accredited.", "O registrar está acreditado."}},
    [ELIGIBILITY_ENROLLABLE] = {{"Nobody enrolls in a contest.",
                                 "Ninguém se inscreve num concurso."},
                                {"The program takes enrollments.", "O programa aceita adesões."}},
    [ELIGIBILITY_WINDOW] = {{"The program is not open to enrollment now.",
                             "O programa não está aberto a adesões neste momento."},
                            {"The program is open to enrollment now.",
                             "O programa está aberto a adesões neste momento."}},
    [ELIGIBILITY_REQUIRES] = {{"An active enrollment in %s is required.",
                               "É necessária uma adesão ativa ao programa %s."},
                              {"The registrar has an active enrollment in %s.",
                               "O registrar tem uma adesão ativa ao programa %s."}},
    [ELIGIBILITY_DUPLICATE] = {{"The registrar already has an enrollment in this program.",
                                "O registrar já tem uma adesão a este programa."},
                               {"The registrar has no enrollment in this program yet.",
                                "O registrar ainda não tem adesão a este programa."}},
    [ELIGIBILITY_CAPACITY] = {{"The program has no place left.",
                               "O programa não tem vagas disponíveis."},
                              {"The program has a place left.", "O programa tem vagas."}},
};

void eligibility_message(enum eligibility_code code, const char *subject, bool passed, bool pt,
                         char *out, size_t cap)
{
    if ((unsigned)code >= ELIGIBILITY_CODE_COUNT) {
        snprintf(out, cap, "%s", "");
        return;
    }
    const char *fmt = messages[code][passed][pt];
    if (code == ELIGIBILITY_REQUIRES)
        snprintf(out, cap, fmt, subject ? subject : "");
    else
        snprintf(out, cap, "%s", fmt);
}
