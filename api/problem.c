/* The catalogue of problem types and the one function that writes an error
 * body. Types are a public contract: never rename a slug. */
#include "problem.h"

#include <string.h>

struct problem_entry {
    const char *slug;
    unsigned status;
    const char *title_en;
    const char *title_pt;
    const char *detail_en;
    const char *detail_pt;
};

static const struct problem_entry catalogue[PROBLEM_KIND_COUNT] = {
    [PROBLEM_INVALID_REQUEST] = {"invalid-request", 400, "Invalid request", "Pedido inválido",
                                 "The request is malformed.", "O pedido está mal formado."},
    [PROBLEM_VALIDATION_FAILED] = {"validation-failed", 422, "Validation failed",
                                   "Validação falhada", "Some fields are invalid: see errors.",
                                   "Alguns campos são inválidos: ver errors."},
    [PROBLEM_UNAUTHENTICATED] = {"unauthenticated", 401, "Authentication required",
                                 "Autenticação necessária", "A valid bearer token is required.",
                                 "É necessário um token bearer válido."},
    [PROBLEM_FORBIDDEN] = {"forbidden", 403, "Forbidden", "Proibido", "Your role may not do this.",
                           "O seu papel não permite esta ação."},
    [PROBLEM_NOT_FOUND] = {"not-found", 404, "Not found", "Não encontrado",
                           "There is nothing here.", "Não existe nada aqui."},
    [PROBLEM_METHOD_NOT_ALLOWED] = {"method-not-allowed", 405, "Method not allowed",
                                    "Método não permitido",
                                    "This method is not allowed here: see Allow.",
                                    "Este método não é permitido aqui: ver Allow."},
    [PROBLEM_INVALID_STATE] = {"invalid-state", 409, "Invalid state", "Estado inválido",
                               "This action is not allowed in the current state.",
                               "Esta ação não é permitida no estado atual."},
    [PROBLEM_DUPLICATE] = {"duplicate", 409, "Duplicate", "Duplicado", "This already exists.",
                           "Isto já existe."},
    [PROBLEM_NOT_ELIGIBLE] = {"not-eligible", 403, "Not eligible", "Não elegível",
                              "The conditions for this action are not met.",
                              "As condições para esta ação não estão cumpridas."},
    [PROBLEM_WINDOW_CLOSED] = {"window-closed", 409, "Window closed", "Prazo fechado",
                               "This is outside its time window.",
                               "Isto está fora do respetivo prazo."},
    [PROBLEM_CAPACITY_FULL] = {"capacity-full", 409, "Capacity full", "Lotação esgotada",
                               "There is no room left.", "Não há lugares disponíveis."},
    [PROBLEM_VOUCHER_REDEEMED] = {"voucher-redeemed", 409, "Voucher already redeemed",
                                  "Voucher já utilizado", "This voucher was already redeemed.",
                                  "Este voucher já foi utilizado."},
    [PROBLEM_VOUCHER_EXPIRED] = {"voucher-expired", 409, "Voucher expired", "Voucher expirado",
                                 "This voucher has expired.", "Este voucher expirou."},
    [PROBLEM_VOUCHER_REVOKED] = {"voucher-revoked", 409, "Voucher revoked", "Voucher revogado",
                                 "This voucher was revoked.", "Este voucher foi revogado."},
    [PROBLEM_REGISTRAR_SUSPENDED] = {"registrar-suspended", 403, "Registrar suspended",
                                     "Registrar suspenso", "The registrar is suspended.",
                                     "O registrar está suspenso."},
    [PROBLEM_PRECONDITION_FAILED] = {"precondition-failed", 412, "Precondition failed",
                                     "Pré-condição falhada",
                                     "If-Match does not match the current version.",
                                     "If-Match não corresponde à versão atual."},
    [PROBLEM_PRECONDITION_REQUIRED] = {"precondition-required", 428, "Precondition required",
                                       "Pré-condição necessária",
                                       "This request needs an If-Match header.",
                                       "Este pedido precisa do cabeçalho If-Match."},
    [PROBLEM_PAYLOAD_TOO_LARGE] = {"payload-too-large", 413, "Payload too large",
                                   "Conteúdo demasiado grande",
                                   "The request body is over the limit.",
                                   "O corpo do pedido excede o limite."},
    [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {"unsupported-media-type", 415, "Unsupported media type",
                                        "Tipo de conteúdo não suportado",
                                        "Send the body as application/json.",
                                        "Envie o corpo como application/json."},
    [PROBLEM_RATE_LIMITED] = {"rate-limited", 429, "Too many requests", "Demasiados pedidos",
                              "Slow down: see Retry-After.", "Abrande: ver Retry-After."},
    [PROBLEM_IDEMPOTENCY_KEY_REUSED] = {"idempotency-key-reused", 422, "Idempotency key reused",
                                        "Chave de idempotência reutilizada",
                                        "This Idempotency-Key was used with another body.",
                                        "Esta Idempotency-Key foi usada com outro corpo."},
    [PROBLEM_LIMIT_REACHED] = {"limit-reached", 409, "Limit reached", "Limite atingido",
                               "A count limit is reached.", "Foi atingido um limite."},
    [PROBLEM_SERVICE_UNAVAILABLE] = {"service-unavailable", 503, "Service unavailable",
                                     "Serviço indisponível",
                                     "The service cannot answer now: retry later.",
                                     "O serviço não pode responder agora: tente mais tarde."},
};

#define PROBLEM_TYPE_BASE "https://parceria.dns.pt/problems/"

const char *problem_slug(enum problem_kind kind)
{
    return catalogue[kind].slug;
}

unsigned problem_status(enum problem_kind kind)
{
    return catalogue[kind].status;
}

const char *problem_title(enum problem_kind kind, bool pt)
{
    return pt ? catalogue[kind].title_pt : catalogue[kind].title_en;
}

json_t *problem_body(const struct req_ctx *ctx, enum problem_kind kind, struct problem_text detail,
                     json_t *extra)
{
    const struct problem_entry *e = &catalogue[kind];
    bool pt = ctx != NULL && ctx->lang_pt;
    const char *text =
        pt ? (detail.pt ? detail.pt : e->detail_pt) : (detail.en ? detail.en : e->detail_en);
    char type[128];
    snprintf(type, sizeof type, PROBLEM_TYPE_BASE "%s", e->slug);
    json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title",
                             pt ? e->title_pt : e->title_en, "status", (int)e->status, "detail",
                             text, "request_id", ctx ? ctx->request_id : "");
    if (extra != NULL) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    return body;
}

int problem_send(struct _u_response *resp, struct req_ctx *ctx, enum problem_kind kind,
                 struct problem_text detail, json_t *extra)
{
    json_t *body = problem_body(ctx, kind, detail, extra);
    unsigned status = catalogue[kind].status;
    if (status == 401 && u_map_get_case(resp->map_header, "WWW-Authenticate") == NULL)
        u_map_put(resp->map_header, "WWW-Authenticate", "Bearer");
    if ((status == 503 || status == 429) && u_map_get_case(resp->map_header, "Retry-After") == NULL)
        u_map_put(resp->map_header, "Retry-After", status == 503 ? "5" : "60");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    ulfius_set_string_body_response(resp, status, text);
    free(text);
    u_map_put(resp->map_header, "Content-Type", "application/problem+json");
    u_map_put(resp->map_header, "Content-Language", ctx && ctx->lang_pt ? "pt-PT" : "en");
    if (ctx != NULL)
        api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

int problem_send_status(struct _u_response *resp, struct req_ctx *ctx, enum status st)
{
    switch (st) {
    case ST_NOT_FOUND:
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    case ST_CONFLICT:
        return problem_send(resp, ctx, PROBLEM_DUPLICATE, PROBLEM_NO_DETAIL, NULL);
    case ST_INVALID_STATE:
        return problem_send(resp, ctx, PROBLEM_INVALID_STATE, PROBLEM_NO_DETAIL, NULL);
    case ST_STALE:
        return problem_send(resp, ctx, PROBLEM_PRECONDITION_FAILED, PROBLEM_NO_DETAIL, NULL);
    case ST_FORBIDDEN:
        return problem_send(resp, ctx, PROBLEM_FORBIDDEN, PROBLEM_NO_DETAIL, NULL);
    case ST_LIMIT:
        return problem_send(resp, ctx, PROBLEM_LIMIT_REACHED, PROBLEM_NO_DETAIL, NULL);
    case ST_INVALID:
        return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL, NULL);
    default:
        return problem_send(resp, ctx, PROBLEM_SERVICE_UNAVAILABLE, PROBLEM_NO_DETAIL, NULL);
    }
}
