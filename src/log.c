/* yder set-up and the one request line. Messages go to standard error through
 * yder's callback so that both formats share one writer and one lock. */
#include "log.h"

#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yder.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum config_log_format log_format = CONFIG_LOG_TEXT;

static const char *level_name(unsigned long level)
{
    switch (level) {
    case Y_LOG_LEVEL_ERROR:
        return "error";
    case Y_LOG_LEVEL_WARNING:
        return "warning";
    case Y_LOG_LEVEL_DEBUG:
        return "debug";
    default:
        return "info";
    }
}

static void write_line(void *cls, const char *app, const time_t date, const unsigned long level,
                       const char *message)
{
    (void)cls;
    (void)app;
    char when[UTIL_RFC3339_LEN + 1];
    util_rfc3339(date, when);
    pthread_mutex_lock(&log_lock);
    if (log_format == CONFIG_LOG_JSON) {
        /* A message that is itself a JSON object (the request line) keeps its fields. */
        json_t *line = message[0] == '{' ? json_loads(message, 0, NULL) : NULL;
        if (line == NULL)
            line = json_pack("{s:s}", "message", message);
        json_object_set_new(line, "time", json_string(when));
        json_object_set_new(line, "level", json_string(level_name(level)));
        char *text = json_dumps(line, JSON_COMPACT);
        fprintf(stderr, "%s\n", text ? text : "{}");
        free(text);
        json_decref(line);
    } else {
        /* one event, one line: libpq's messages end with a newline and may
         * hold several (DETAIL, HINT, "Is the server running…?") */
        char *text = xstrdup(message);
        size_t len = strlen(text);
        while (len > 0 && isspace((unsigned char)text[len - 1]))
            text[--len] = '\0';
        for (char *c = text; *c; c++)
            *c = (*c == '\n' || *c == '\r') ? ' ' : *c;
        fprintf(stderr, "%s %s %s\n", when, level_name(level), text);
        free(text);
    }
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
}

void log_init(unsigned long level, enum config_log_format format)
{
    log_format = format;
    y_init_logs("parceria", Y_LOG_MODE_CALLBACK, level, NULL, NULL);
    y_set_logs_callback(write_line, NULL, NULL);
}

void log_close(void)
{
    y_close_logs();
}

void log_request(const char *method, const char *route, int status, uint64_t duration_us,
                 const char *request_id)
{
    if (log_format == CONFIG_LOG_JSON) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s}", "message", "request", "method",
                              method, "route", route, "status", status, "duration_us",
                              (json_int_t)duration_us, "request_id", request_id);
        char *text = json_dumps(o, JSON_COMPACT);
        y_log_message(Y_LOG_LEVEL_INFO, "%s", text);
        free(text);
        json_decref(o);
        return;
    }
    y_log_message(Y_LOG_LEVEL_INFO,
                  "request method=%s route=%s status=%d duration_us=%llu request_id=%s", method,
                  route, status, (unsigned long long)duration_us, request_id);
}
