/* Metrics: per-route counters and histograms, their text, and exact counts
 * under concurrent recording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    (void)state;
    metrics_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    metrics_cleanup();
    return 0;
}

static char *render(void)
{
    size_t len = 0;
    char *text = metrics_render(NULL, NULL, &len);
    assert_int_equal(strlen(text), len);
    return text;
}

static void assert_has(const char *text, const char *line)
{
    if (strstr(text, line) == NULL)
        fail_msg("missing: %s\n--- in ---\n%s", line, text);
}

static void requests_count_by_route_and_status(void **state)
{
    (void)state;
    metrics_record("GET", "/healthz", 200, 10);
    metrics_record("GET", "/healthz", 200, 10);
    metrics_record("GET", "/healthz", 400, 10);
    metrics_record("POST", "/healthz", 405, 10); /* no POST route: unmatched */
    metrics_record("GET", "unmatched", 404, 10);
    metrics_record("GET", "/v1/secret/path", 404, 10);
    metrics_record("GET", "/healthz", 42, 10); /* not a status: timed, not counted */
    char *text = render();
    assert_has(
        text, "parceria_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n");
    assert_has(
        text, "parceria_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"400\"} 1\n");
    assert_has(text, "parceria_http_requests_total{route=\"unmatched\",status=\"404\"} 2\n");
    assert_has(text, "parceria_http_requests_total{route=\"unmatched\",status=\"405\"} 1\n");
    assert_null(strstr(text, "/v1/secret/path")); /* "secret" alone: a route has secrets */
    assert_null(strstr(text, "status=\"42\""));
    free(text);
}

static void histogram_buckets_are_cumulative_and_inclusive(void **state)
{
    (void)state;
    metrics_record("GET", "/readyz", 200, 1000);     /* exactly 1 ms: le 0.001 */
    metrics_record("GET", "/readyz", 200, 1001);     /* just over: le 0.0025 */
    metrics_record("GET", "/readyz", 503, 20000000); /* 20 s: above every bound */
    char *text = render();
    const char *h = "parceria_http_request_duration_seconds";
    char line[256];
    snprintf(line, sizeof line, "%s_bucket{method=\"GET\",route=\"/readyz\",le=\"0.001\"} 1\n", h);
    assert_has(text, line);
    snprintf(line, sizeof line, "%s_bucket{method=\"GET\",route=\"/readyz\",le=\"0.0025\"} 2\n", h);
    assert_has(text, line);
    snprintf(line, sizeof line, "%s_bucket{method=\"GET\",route=\"/readyz\",le=\"10\"} 2\n", h);
    assert_has(text, line);
    snprintf(line, sizeof line, "%s_bucket{method=\"GET\",route=\"/readyz\",le=\"+Inf\"} 3\n", h);
    assert_has(text, line);
    snprintf(line, sizeof line, "%s_sum{method=\"GET\",route=\"/readyz\"} 20.002001\n", h);
    assert_has(text, line);
    snprintf(line, sizeof line, "%s_count{method=\"GET\",route=\"/readyz\"} 3\n", h);
    assert_has(text, line);
    /* Routes nobody called are written too, at zero. */
    snprintf(line, sizeof line, "%s_count{method=\"GET\",route=\"/openapi.yaml\"} 0\n", h);
    assert_has(text, line);
    free(text);
}

static void service_metrics_and_build_info(void **state)
{
    (void)state;
    metrics_rate_limited();
    metrics_rate_limited();
    char *text = render();
    assert_has(text, "# TYPE parceria_rate_limited_total counter\n");
    assert_has(text, "\nparceria_rate_limited_total 2\n");
    assert_has(text, "# TYPE parceria_db_errors_total counter\nparceria_db_errors_total ");
    assert_has(text, "parceria_build_info{version=\"" PARCERIA_VERSION "\"} 1\n");
    assert_null(strstr(text, "parceria_db_pool_size")); /* no pool given */
    assert_true(text[strlen(text) - 1] == '\n');
    free(text);
}

#define WRITERS 4
#define PER_WRITER 20000

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_WRITER; i++)
        metrics_record("GET", "/metrics", 200, (uint64_t)i);
    return NULL;
}

static void concurrent_recording_loses_nothing(void **state)
{
    (void)state;
    pthread_t t[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&t[i], NULL, writer, NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    char *text = render();
    char line[160];
    snprintf(line, sizeof line,
             "parceria_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"} %d\n",
             WRITERS * PER_WRITER);
    assert_has(text, line);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(requests_count_by_route_and_status, setup, teardown),
        cmocka_unit_test_setup_teardown(histogram_buckets_are_cumulative_and_inclusive, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(service_metrics_and_build_info, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_recording_loses_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
