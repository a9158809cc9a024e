/* The front door: what happens to a connection before ulfius has a whole
 * request. libmicrohttpd 0.9.75 caps connections per address and memory per
 * connection; the door adds what it lacks: a deadline for headers, a minimum
 * body rate, a total request deadline, and answers given on the access
 * handler's first call, before any body is read. */
#ifndef PARCERIA_DOOR_H
#define PARCERIA_DOOR_H

#include "config.h"

#include <microhttpd.h>
#include <stdbool.h>

/* Starts the thread that cuts off late connections. Call before the daemon
 * starts; door_close after it stopped. */
void door_open(const struct config *cfg);
void door_close(void);

/* The stop has begun: from now on every answer closes its connection, so a
 * kept-alive client sends no further request here. */
void door_quiesce(void);

/* The longest request target (path and query) answered other than 414, as
 * nginx's large_client_header_buffers 8k. */
#define DOOR_MAX_TARGET 8192

/* MHD_OPTION_URI_LOG_CALLBACK: ulfius's logger, then the request line's own
 * checks (its length, its number of query arguments). */
void *door_uri_log(void *cls, const char *uri, struct MHD_Connection *connection);

/* MHD_OPTION_NOTIFY_CONNECTION: tracks each connection from accept to close. */
void door_notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe);
/* MHD_OPTION_NOTIFY_COMPLETED: ulfius's clean-up, then the connection waits
 * for its next request's headers. */
void door_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                            enum MHD_RequestTerminationCode toe);

/* True when no connection has a request under way (its line or headers
 * being read, its body arriving, its handler running, its answer going
 * out), bytes of a next one waiting unread, or was made or answered in the
 * last 200 ms (a client about to send): what a stopping server waits for
 * before it closes the connections left. Idle kept-alive ones are quiet. */
bool door_quiet(void);

#endif
