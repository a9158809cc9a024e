/* The closed list of error codes a request's fields and parameters are
 * refused with: each code's name (a public contract, in errors[].code) and
 * its message in English and Portuguese. Validators return an enum
 * error_code, so a misspelt code does not compile. Pure: no I/O. */
#ifndef PARCERIA_ERROR_CODE_H
#define PARCERIA_ERROR_CODE_H

#include <stdbool.h>

/* X(NAME, "name", message_en, message_pt) */
#define ERROR_CODES(X)                                                                             \
    X(REQUIRED, "required", "is required", "é obrigatório")                                        \
    X(UNKNOWN_FIELD, "unknown_field", "is not a known field", "não é um campo conhecido")          \
    X(NOT_WRITABLE, "not_writable", "may not be written by your role",                             \
      "não pode ser escrito pelo seu papel")                                                       \
    X(TYPE, "type", "has the wrong type", "tem o tipo errado")                                     \
    X(TOO_SHORT, "too_short", "is too short", "é demasiado curto")                                 \
    X(TOO_LONG, "too_long", "is too long", "é demasiado longo")                                    \
    X(TOO_SMALL, "too_small", "is too small", "é demasiado pequeno")                               \
    X(TOO_LARGE, "too_large", "is too large", "é demasiado grande")                                \
    X(TOO_FEW, "too_few", "has too few items", "tem poucos elementos")                             \
    X(TOO_MANY, "too_many", "has too many items", "tem demasiados elementos")                      \
    X(FORMAT, "format", "has an invalid format", "tem um formato inválido")                        \
    X(ENUM, "enum", "is not one of the allowed values", "não é um dos valores permitidos")         \
    X(NOT_NULL, "not_null", "may not be null", "não pode ser nulo")                                \
    X(UNKNOWN_PARAMETER, "unknown_parameter", "is not a known parameter",                          \
      "não é um parâmetro conhecido")                                                              \
    X(REPEATED, "repeated", "is repeated: use comma-separated values",                             \
      "está repetido: use valores separados por vírgulas")                                         \
    X(ENCODING, "encoding", "is not valid percent-encoded UTF-8", "não é UTF-8 válido")            \
    X(SHADOWS_PATH, "shadows_path", "has the name of a path parameter",                            \
      "tem o nome de um parâmetro do caminho")                                                     \
    X(NIF, "nif", "is not a valid Portuguese NIF", "não é um NIF português válido")                \
    X(VAT_NUMBER, "vat_number", "is not a valid VAT number for the country",                       \
      "não é um número de IVA válido para o país")                                                 \
    X(COUNTRY, "country", "is not an ISO 3166-1 alpha-2 country code",                             \
      "não é um código de país ISO 3166-1 alfa-2")                                                 \
    X(POSTAL_CODE, "postal_code", "is not a valid postal code for the country",                    \
      "não é um código postal válido para o país")                                                 \
    X(EMAIL, "email", "is not a valid email address", "não é um endereço de email válido")         \
    X(PHONE, "phone", "is not an E.164 phone number (+351…)",                                      \
      "não é um número de telefone E.164 (+351…)")                                                 \
    X(URL, "url", "is not an https URL", "não é um URL https")                                     \
    X(EXCLUSIVE, "exclusive", "cannot come with nif: give one tax number",                         \
      "não pode vir com nif: indique um número fiscal")                                            \
    X(USE_NIF, "use_nif", "is the NIF for Portuguese companies",                                   \
      "é o NIF para empresas portuguesas")                                                         \
    X(ADMIN_CONTACT_REQUIRED, "admin_contact_required", "needs an admin contact",                  \
      "precisa de um contacto admin")                                                              \
    X(TECHNICAL_CONTACT_REQUIRED, "technical_contact_required", "needs a technical contact",       \
      "precisa de um contacto técnico")                                                            \
    X(SECURITY_CONTACT_REQUIRED, "security_contact_required", "needs a security contact",          \
      "precisa de um contacto de segurança")                                                       \
    X(PROGRAM_CODE, "program_code", "is not a program code", "não é um código de programa")        \
    X(STAFF_ONLY, "staff_only", "is for staff only", "é só para a equipa do .PT")                  \
    X(CONTROL_CHARACTER, "control_character", "contains a control character",                      \
      "contém um carácter de controlo")                                                            \
    X(BIDI_CONTROL, "bidi_control", "contains a bidirectional formatting character",               \
      "contém um carácter de formatação bidirecional")                                             \
    X(ZERO_WIDTH, "zero_width", "contains a zero-width character",                                 \
      "contém um carácter de largura zero")                                                        \
    X(BLANK, "blank", "is only white space", "só tem espaços em branco")                           \
    X(NOT_ALLOWED, "not_allowed", "is not allowed here", "não é permitido aqui")                   \
    X(YEAR_MISMATCH, "year_mismatch", "does not end with the program's year",                      \
      "não termina com o ano do programa")                                                         \
    X(BEFORE_OPENING, "before_opening", "is not after the window opens",                           \
      "não é posterior à abertura do prazo")                                                       \
    X(UNKNOWN_PROGRAM, "unknown_program", "is not another existing program",                       \
      "não é outro programa existente")                                                            \
    X(TERMS_VERSION, "terms_version", "is not the program's current terms version",                \
      "não é a versão atual dos termos do programa")                                               \
    X(VOUCHER_CODE, "voucher_code", "is not a voucher code: check it for a typo",                  \
      "não é um código de voucher: verifique se há um erro")                                       \
    X(PAST, "past", "is not in the future", "não é no futuro")                                     \
    X(DOMAIN_NAME, "domain_name", "is not a valid domain name", "não é um nome de domínio válido") \
    X(PT_DOMAIN, "pt_domain", "is not a name registrable under .pt (name.pt, name.com.pt, …)",     \
      "não é um nome registável em .pt (nome.pt, nome.com.pt, …)")                                 \
    X(BEFORE_START, "before_start", "is not after starts_at", "não é posterior a starts_at")       \
    X(BELOW_TAKEN, "below_taken", "is below the seats already given",                              \
      "é inferior aos lugares já atribuídos")                                                      \
    X(UNKNOWN_EVENT, "unknown_event", "is not an existing event", "não é um evento existente")     \
    X(EVENT_KIND, "event_kind", "is not an event of the kind this needs",                          \
      "não é um evento do tipo necessário")                                                        \
    X(SEED_MISMATCH, "seed_mismatch", "does not match the draw's seed_commitment",                 \
      "não corresponde ao seed_commitment do sorteio")                                             \
    X(NOT_A_WINNER, "not_a_winner", "is not one of the draw's current representatives",            \
      "não é um dos representantes atuais do sorteio")                                             \
    X(ADDRESS_REFUSED, "address_refused",                                                          \
      "names a loopback, private, link-local, multicast or reserved address",                      \
      "indica um endereço de loopback, privado, local, multicast ou reservado")                    \
    X(EVENT_TYPE, "event_type", "is not a known event type", "não é um tipo de evento conhecido")  \
    X(UNKNOWN_REGISTRAR, "unknown_registrar", "is not an existing registrar",                      \
      "não é um registrar existente")                                                              \
    /* community: news */                                                                          \
    X(DUPLICATE_CHANNEL, "duplicate_channel", "repeats a channel already asked for",               \
      "repete um canal já pedido")                                                                 \
    /* community: contacts */                                                                      \
    X(UNKNOWN_TOPIC, "unknown_topic", "is not the topic of an active mailbox",                     \
      "não é o tema de uma caixa de correio ativa")                                                \
    /* community: survey */                                                                        \
    X(OUT_OF_RANGE, "out_of_range", "is outside the question's scale",                             \
      "está fora da escala da pergunta")                                                           \
    X(UNKNOWN_OPTION, "unknown_option", "is not one of the question's options",                    \
      "não é uma das opções da pergunta")                                                          \
    X(MULTIPLE, "multiple",                                                                        \
      "does not match the question's multiple (one option id, or a list of distinct ones)",        \
      "não corresponde ao multiple da pergunta (um id de opção, ou uma lista de ids distintos)")   \
    X(SCALE_RANGE, "scale_range", "is not a scale of 1 to 5 or of 0 to 10",                        \
      "não é uma escala de 1 a 5 ou de 0 a 10")                                                    \
    X(NOT_UNIQUE, "not_unique", "is used by another item of the list",                             \
      "já é usado por outro elemento da lista")                                                    \
    X(UNKNOWN_ISSUE, "unknown_issue", "is not an existing newsletter issue",                       \
      "não é um número existente da newsletter")                                                   \
    /* trust: data-subject requests */                                                             \
    X(FUTURE, "future", "is in the future", "é no futuro")

enum error_code {
    ERR_NONE = 0, /* no error */
#define ERROR_CODE_ENUM(name, text, en, pt) ERR_##name,
    ERROR_CODES(ERROR_CODE_ENUM)
#undef ERROR_CODE_ENUM
        ERROR_CODE_COUNT
};

/* "required", "too_long", …; NULL for ERR_NONE. Lent. */
const char *error_code_name(enum error_code code);
/* The code's message in English, or Portuguese when pt. Lent. */
const char *error_code_message(enum error_code code, bool pt);

#endif
