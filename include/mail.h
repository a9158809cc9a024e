/* Email (DOMAIN.md section 7): the message as RFC 5322 text in UTF-8, its
 * templates (templates/mail/, compiled into the binary, pt-PT first and
 * English below), and sending it by SMTP through libcurl. The worker
 * (worker.c) renders, builds and sends each email message of the outbox.
 * Building and rendering are pure; mail_send is the only I/O. */
#ifndef PARCERIA_MAIL_H
#define PARCERIA_MAIL_H

#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MAIL_ERROR_MAX 256

struct mail_message {
    const char *from;       /* an address, optionally with a display name: "Parceria <p@dns.pt>" */
    const char *to;         /* one address */
    const char *subject;    /* UTF-8 (encoded per RFC 2047 when not ASCII) */
    const char *text;       /* the text/plain body, UTF-8, lines ending LF or CRLF */
    const char *html;       /* a text/html alternative, or NULL */
    const char *message_id; /* "<id@host>" */
    const char *date;       /* an RFC 5322 date, or NULL for now */
    const char *list_unsubscribe;      /* a List-Unsubscribe value, or NULL */
    const char *list_unsubscribe_post; /* "List-Unsubscribe=One-Click" (RFC 8058), or NULL */
    const char *reply_to;              /* one address replies go to (Reply-To), or NULL */
};

/* The message's text: its headers (From, To, Subject, Date, Message-ID,
 * MIME-Version, Content-Type, Content-Transfer-Encoding, and List-* and
 * Reply-To when set) and its body, lines ending CRLF, a leading dot never
 * alone on a line meaning the end. ST_INVALID, and *out NULL, when any
 * header value holds a CR or an LF (header injection) or from, to or
 * reply_to is not an email address (reply_to takes no display name).
 * *out is a new string of *len bytes. */
enum status mail_build(const struct mail_message *m, char **out, size_t *len) WARN_UNUSED;

/* Renders the template called name with vars (a JSON object of strings and
 * numbers): its subject and its text (pt-PT, then English below), and its
 * HTML alternative when the template has one (else *html NULL). New
 * strings. ST_NOT_FOUND for an unknown template; ST_INVALID when the
 * template names a variable vars lacks, or a value the subject shows holds
 * a CR or an LF (it would break the Subject header). */
enum status mail_render(const char *name, const json_t *vars, char **subject, char **text,
                        char **html) WARN_UNUSED;
/* Whether name is a template. */
bool mail_template_known(const char *name);
/* The template syntax mail_render applies, on one text: {{var}} is var's
 * value (a string, a number; null reads as empty), HTML-escaped when html;
 * {{#var}}…{{/var}} keeps its inside when var is not empty, and
 * {{#var=value}}…{{/var}} when var is exactly value. *out is a new string,
 * or NULL with ST_INVALID when a tag names a variable vars lacks or is
 * malformed. (mail_render also refuses a subject value holding CR or LF.) */
enum status mail_expand(const char *tmpl, const json_t *vars, bool html, char **out) WARN_UNUSED;

/* The List-Unsubscribe value (RFC 2369) a template's vars ask for: when
 * vars carry "list_unsubscribe" (a path under base: "/v1/…?token=…"),
 * *out gets "<base + path>" (a new string); without it, ST_OK and *out
 * NULL. ST_INVALID when the link would not be an https URL of visible ASCII
 * (validate_website: no CR, LF, space, '<' or '>'). Such mail carries
 * List-Unsubscribe-Post: MAIL_ONE_CLICK too (RFC 8058). */
#define MAIL_ONE_CLICK "List-Unsubscribe=One-Click"
enum status mail_list_unsubscribe(const char *base, const json_t *vars, char **out) WARN_UNUSED;

struct mail_smtp {
    const char *url;             /* smtp://host:port (STARTTLS when offered, required with a
                                    user), smtps://host:port (TLS from the start) */
    const char *user, *password; /* or NULL */
    long connect_timeout_s, timeout_s;
};

/* Initializes libcurl once (curl_global_init); call it at start-up before
 * any thread is started. mail_send calls it too (once), for callers that
 * did not. */
void mail_global_init(void);

/* Sends message (from mail_build) from `from` to `to`. ST_OK when the server
 * accepted it; ST_RETRY for a failure that may pass (no connection, a
 * timeout, a 4xx answer); ST_INVALID for one that will not (a 5xx answer,
 * such as a recipient refused). error gets a one-line reason (never a
 * password). */
enum status mail_send(const struct mail_smtp *s, const char *from, const char *to,
                      const char *message, size_t len, char error[MAIL_ERROR_MAX]) WARN_UNUSED;

#endif
