/* Eligibility: the checks, in order, with their statuses and messages. Pure. */
#include "eligibility.h"

#include <stdio.h>
#include <string.h>

static const char *const code_names[ELIGIBILITY_CODE_COUNT] = {
    [ELIGIBILITY_ACCREDITED] = "accredited", [ELIGIBILITY_ENROLLABLE] = "enrollable",
    [ELIGIBILITY_WINDOW] = "window",         [ELIGIBILITY_REQUIRES] = "requires",
    [ELIGIBILITY_DUPLICATE] = "duplicate",   [ELIGIBILITY_CAPACITY] = "capacity",
    [ELIGIBILITY_AGREEMENT] = "agreement",
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
    return f->accepting && (!f->has_opens || f->now_us >= f->opens_us) &&
           (!f->has_closes || f->now_us < f->closes_us);
}

bool eligibility_fits(const struct eligibility_facts *f)
{
    return f->waiting == 0 && (f->capacity <= 0 || f->taken + f->adding <= f->capacity);
}

void eligibility_judge(const struct eligibility_facts *f, unsigned mask, struct eligibility *out)
{
    memset(out, 0, sizeof *out);
    out->eligible = true;
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_ACCREDITED))
        add(out, ELIGIBILITY_ACCREDITED, NULL,
            f->registrar_found && f->registrar_status == REGISTRAR_ACCREDITED);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_AGREEMENT))
        add(out, ELIGIBILITY_AGREEMENT, f->agreement.due ? f->agreement.version : NULL,
            !f->agreement.due);
    if ((mask & ELIGIBILITY_BIT(ELIGIBILITY_ENROLLABLE)) && f->contest)
        add(out, ELIGIBILITY_ENROLLABLE, NULL, false);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_WINDOW))
        add(out, ELIGIBILITY_WINDOW, NULL, in_window(f));
    for (size_t i = 0; (mask & ELIGIBILITY_BIT(ELIGIBILITY_REQUIRES)) && i < f->nrequires; i++)
        add(out, ELIGIBILITY_REQUIRES, f->requires[i], f -> requires_active[i]);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_DUPLICATE))
        add(out, ELIGIBILITY_DUPLICATE, NULL, !f->duplicate);
    if (mask & ELIGIBILITY_BIT(ELIGIBILITY_CAPACITY))
        add(out, ELIGIBILITY_CAPACITY, NULL,
            eligibility_fits(f) || (f->waitlist && (f->capacity <= 0 || f->adding <= f->capacity)));
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
    case ELIGIBILITY_AGREEMENT:
        return ST_AGREEMENT_REQUIRED;
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

/* Each check's message for a program and for an event, when it fails and
 * when it passes, in English and Portuguese; %s is the program required.
 * An event's NULL is the program's message. */
static const char *const messages[ELIGIBILITY_CODE_COUNT][ELIGIBILITY_TARGET_COUNT][2][2] = {
    [ELIGIBILITY_ACCREDITED] = {{{"The registrar is not accredited: it is suspended or terminated.",
                                  "O registrar não está acreditado: está suspenso ou terminado."},
                                 {"The registrar is accredited.", "O registrar está acreditado."}}},
    [ELIGIBILITY_ENROLLABLE] = {{{"Nobody enrolls in a contest.",
                                  "Ninguém se inscreve num concurso."},
                                 {"The program takes enrollments.", "O programa aceita adesões."}}},
    [ELIGIBILITY_WINDOW] = {{{"The program is not open to enrollment now.",
                              "O programa não está aberto a adesões neste momento."},
                             {"The program is open to enrollment now.",
                              "O programa está aberto a adesões neste momento."}},
                            {{"The event is not open to registration now.",
                              "O evento não está aberto a inscrições neste momento."},
                             {"The event is open to registration now.",
                              "O evento está aberto a inscrições neste momento."}}},
    [ELIGIBILITY_REQUIRES] = {{{"An active enrollment in %s is required.",
                                "É necessária uma adesão ativa ao programa %s."},
                               {"The registrar has an active enrollment in %s.",
                                "O registrar tem uma adesão ativa ao programa %s."}}},
    [ELIGIBILITY_DUPLICATE] = {{{"The registrar already has an enrollment in this program.",
                                 "O registrar já tem uma adesão a este programa."},
                                {"The registrar has no enrollment in this program yet.",
                                 "O registrar ainda não tem adesão a este programa."}},
                               {{"The registrar is already registered for this event.",
                                 "O registrar já está inscrito neste evento."},
                                {"The registrar is not registered for this event yet.",
                                 "O registrar ainda não está inscrito neste evento."}}},
    [ELIGIBILITY_CAPACITY] =
        {{{"The program has no place left.", "O programa não tem vagas disponíveis."},
          {"The program has a place left.", "O programa tem vagas."}},
         {{"The event has no seat left and no waitlist.",
           "O evento não tem lugares disponíveis nem lista de espera."},
          {"The event has a seat left, or its waitlist takes the registration.",
           "O evento tem lugares, ou a sua lista de espera aceita a inscrição."}}},
    [ELIGIBILITY_AGREEMENT] =
        {{{"The registrar has not accepted data-processing agreement %s, past its accept_by.",
           "O registrar não aceitou o acordo de tratamento de dados %s, cujo prazo passou."},
          {"The registrar has accepted every data-processing agreement due.",
           "O registrar aceitou todos os acordos de tratamento de dados devidos."}}},
};

void eligibility_message(enum eligibility_code code, enum eligibility_target target,
                         const char *subject, bool passed, bool pt, char *out, size_t cap)
{
    if ((unsigned)code >= ELIGIBILITY_CODE_COUNT || (unsigned)target >= ELIGIBILITY_TARGET_COUNT) {
        snprintf(out, cap, "%s", "");
        return;
    }
    const char *fmt = messages[code][target][passed][pt];
    if (fmt == NULL)
        fmt = messages[code][ELIGIBILITY_FOR_PROGRAM][passed][pt];
    if (code == ELIGIBILITY_REQUIRES || (code == ELIGIBILITY_AGREEMENT && !passed))
        snprintf(out, cap, fmt, subject ? subject : "");
    else
        snprintf(out, cap, "%s", fmt);
}
