/* Every error body: RFC 9457 problem+json with a type from one closed list,
 * titles from one English / Portuguese (pt-PT) catalogue. */
#ifndef PARCERIA_PROBLEM_H
#define PARCERIA_PROBLEM_H

#include "api.h"
#include "status.h"

/* The closed list of problem types: name, slug (a public contract: never
 * rename one), HTTP status, title and default detail in English and
 * Portuguese. Everything about a problem type comes from this one table. */
#define PROBLEM_TYPES(X)                                                                           \
    X(INVALID_REQUEST, "invalid-request", 400, "Invalid request", "Pedido inválido",               \
      "The request is malformed.", "O pedido está mal formado.")                                   \
    X(VALIDATION_FAILED, "validation-failed", 422, "Validation failed", "Validação falhada",       \
      "Some fields are invalid: see errors.", "Alguns campos são inválidos: ver errors.")          \
    X(UNAUTHENTICATED, "unauthenticated", 401, "Authentication required",                          \
      "Autenticação necessária", "A valid bearer token is required.",                              \
      "É necessário um token bearer válido.")                                                      \
    X(FORBIDDEN, "forbidden", 403, "Forbidden", "Proibido", "Your role may not do this.",          \
      "O seu papel não permite esta ação.")                                                        \
    X(NOT_FOUND, "not-found", 404, "Not found", "Não encontrado", "There is nothing here.",        \
      "Não existe nada aqui.")                                                                     \
    X(METHOD_NOT_ALLOWED, "method-not-allowed", 405, "Method not allowed", "Método não permitido", \
      "This method is not allowed here: see Allow.",                                               \
      "Este método não é permitido aqui: ver Allow.")                                              \
    X(INVALID_STATE, "invalid-state", 409, "Invalid state", "Estado inválido",                     \
      "This action is not allowed in the current state.",                                          \
      "Esta ação não é permitida no estado atual.")                                                \
    X(DUPLICATE, "duplicate", 409, "Duplicate", "Duplicado", "This already exists.",               \
      "Isto já existe.")                                                                           \
    X(NOT_ELIGIBLE, "not-eligible", 403, "Not eligible", "Não elegível",                           \
      "The conditions for this action are not met.",                                               \
      "As condições para esta ação não estão cumpridas.")                                          \
    X(WINDOW_CLOSED, "window-closed", 409, "Window closed", "Prazo fechado",                       \
      "This is outside its time window.", "Isto está fora do respetivo prazo.")                    \
    X(CAPACITY_FULL, "capacity-full", 409, "Capacity full", "Lotação esgotada",                    \
      "There is no room left.", "Não há lugares disponíveis.")                                     \
    X(VOUCHER_REDEEMED, "voucher-redeemed", 409, "Voucher already redeemed",                       \
      "Voucher já utilizado", "This voucher was already redeemed.",                                \
      "Este voucher já foi utilizado.")                                                            \
    X(VOUCHER_EXPIRED, "voucher-expired", 409, "Voucher expired", "Voucher expirado",              \
      "This voucher has expired.", "Este voucher expirou.")                                        \
    X(VOUCHER_REVOKED, "voucher-revoked", 409, "Voucher revoked", "Voucher revogado",              \
      "This voucher was revoked.", "Este voucher foi revogado.")                                   \
    X(REGISTRAR_SUSPENDED, "registrar-suspended", 403, "Registrar suspended",                      \
      "Registrar suspenso", "The registrar is suspended.", "O registrar está suspenso.")           \
    X(PRECONDITION_FAILED, "precondition-failed", 412, "Precondition failed",                      \
      "Pré-condição falhada", "If-Match does not match the current version.",                      \
      "If-Match não corresponde à versão atual.")                                                  \
    X(PRECONDITION_REQUIRED, "precondition-required", 428, "Precondition required",                \
      "Pré-condição necessária", "This request needs an If-Match header.",                         \
      "Este pedido precisa do cabeçalho If-Match.")                                                \
    X(PAYLOAD_TOO_LARGE, "payload-too-large", 413, "Payload too large",                            \
      "Conteúdo demasiado grande", "The request body is over the limit.",                          \
      "O corpo do pedido excede o limite.")                                                        \
    X(URI_TOO_LONG, "uri-too-long", 414, "URI too long", "URI demasiado longo",                    \
      "The request target is over the limit.", "O alvo do pedido excede o limite.")                \
    X(UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", 415, "Unsupported media type",             \
      "Tipo de conteúdo não suportado", "Send the body as application/json.",                      \
      "Envie o corpo como application/json.")                                                      \
    X(RATE_LIMITED, "rate-limited", 429, "Too many requests", "Demasiados pedidos",                \
      "Slow down: see Retry-After.", "Abrande: ver Retry-After.")                                  \
    X(HEADERS_TOO_LARGE, "headers-too-large", 431, "Request header fields too large",              \
      "Campos de cabeçalho demasiado grandes", "The request's header fields are over the limit.",  \
      "Os campos de cabeçalho do pedido excedem o limite.")                                        \
    X(IDEMPOTENCY_KEY_REUSED, "idempotency-key-reused", 422, "Idempotency key reused",             \
      "Chave de idempotência reutilizada", "This Idempotency-Key was used with another body.",     \
      "Esta Idempotency-Key foi usada com outro corpo.")                                           \
    X(LIMIT_REACHED, "limit-reached", 409, "Limit reached", "Limite atingido",                     \
      "A count limit is reached.", "Foi atingido um limite.")                                      \
    X(SERVICE_UNAVAILABLE, "service-unavailable", 503, "Service unavailable",                      \
      "Serviço indisponível", "The service cannot answer now: retry later.",                       \
      "O serviço não pode responder agora: tente mais tarde.")                                     \
    /* trust: agreements */                                                                        \
    X(AGREEMENT_REQUIRED, "agreement-required", 403, "Agreement required", "Acordo necessário",    \
      "Accept the data-processing agreement named in version first.",                              \
      "Aceite primeiro o acordo de tratamento de dados indicado em version.")

enum problem_kind {
#define PROBLEM_ENUM(name, slug, status, title_en, title_pt, detail_en, detail_pt) PROBLEM_##name,
    PROBLEM_TYPES(PROBLEM_ENUM)
#undef PROBLEM_ENUM
        PROBLEM_KIND_COUNT
};

/* A detail in both languages; either may be NULL to use the catalogue's. */
struct problem_text {
    const char *en;
    const char *pt;
};

/* The kind's slug ("not-found"), for the type URI. */
const char *problem_slug(enum problem_kind kind);
/* The kind's HTTP status. */
unsigned problem_status(enum problem_kind kind);
/* The kind's title in the caller's language. */
const char *problem_title(enum problem_kind kind, bool pt);

/* Builds the problem body (a new reference); extra members (errors,
 * current_status…) are merged in when extra is not NULL (reference taken). */
json_t *problem_body(const struct req_ctx *ctx, enum problem_kind kind, struct problem_text detail,
                     json_t *extra);

/* Answers the problem. Takes extra. Adds Retry-After for 429 and 503 and
 * WWW-Authenticate for 401. Returns U_CALLBACK_COMPLETE. */
int problem_send(struct _u_response *resp, struct req_ctx *ctx, enum problem_kind kind,
                 struct problem_text detail, json_t *extra);

/* The same with another HTTP status than the catalogue's, for a type that
 * some rules answer differently (not-eligible: 403 for who the caller is,
 * 409 for a state of the world that may change). */
int problem_send_as(struct _u_response *resp, struct req_ctx *ctx, enum problem_kind kind,
                    unsigned status, struct problem_text detail, json_t *extra);

/* Answers the problem a store or domain status stands for (ST_NOT_FOUND → 404…). */
int problem_send_status(struct _u_response *resp, struct req_ctx *ctx, enum status st);

#define PROBLEM_NO_DETAIL ((struct problem_text){NULL, NULL})

#endif
