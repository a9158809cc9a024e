/* Configuration: defaults, and every bad variable reported by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const *table;

static const char *lookup(const char *name)
{
    for (const char *const *p = table; *p; p += 2)
        if (strcmp(p[0], name) == 0)
            return p[1];
    return NULL;
}

static void defaults_work_with_a_secret(void **state)
{
    (void)state;
    static const char *const env[] = {"PARCERIA_JWT_SECRET", "0123456789abcdef0123456789abcdef",
                                      NULL};
    table = env;
    struct config cfg;
    char *errors = NULL;
    assert_true(config_load(&cfg, lookup, &errors));
    assert_null(errors);
    assert_string_equal(cfg.bind_address, "127.0.0.1");
    assert_int_equal(cfg.port, 8080);
    assert_int_equal(cfg.token_ttl, 900);
    assert_int_equal(cfg.max_body_bytes, 1048576);
    assert_int_equal(cfg.public_rate_limit, 20);
    assert_int_equal(cfg.client_rate_limit, 600);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN); /* the pool: twice the cores, 4 to 16 */
    assert_int_equal(cfg.db_pool_size, cpus < 2 ? 4 : cpus > 8 ? 16 : 2 * cpus);
    assert_null(cfg.cors_origins[0]);
    config_cleanup(&cfg);
}

static void every_bad_variable_is_named(void **state)
{
    (void)state;
    static const char *const env[] = {"PARCERIA_PORT",
                                      "0",
                                      "PARCERIA_TOKEN_TTL",
                                      "3601",
                                      "PARCERIA_JWT_ALG",
                                      "none",
                                      "PARCERIA_CORS_ORIGINS",
                                      "app.example.pt",
                                      "PARCERIA_METRICS_BIND",
                                      "9090",
                                      "PARCERIA_DB_POOL_SIZE",
                                      "8x",
                                      NULL};
    table = env;
    struct config cfg;
    char *errors = NULL;
    assert_false(config_load(&cfg, lookup, &errors));
    for (size_t i = 0; env[i]; i += 2)
        assert_non_null(strstr(errors, env[i]));
    free(errors);
    config_cleanup(&cfg);
}

static void lists_are_split_and_trimmed(void **state)
{
    (void)state;
    static const char *const env[] = {"PARCERIA_JWT_SECRET",
                                      "0123456789abcdef0123456789abcdef",
                                      "PARCERIA_CORS_ORIGINS",
                                      " https://a.pt , https://b.pt,",
                                      "PARCERIA_METRICS_BIND",
                                      "127.0.0.1:9090",
                                      NULL};
    table = env;
    struct config cfg;
    char *errors = NULL;
    assert_true(config_load(&cfg, lookup, &errors));
    assert_string_equal(cfg.cors_origins[0], "https://a.pt");
    assert_string_equal(cfg.cors_origins[1], "https://b.pt");
    assert_null(cfg.cors_origins[2]);
    assert_string_equal(cfg.metrics_bind, "127.0.0.1");
    assert_int_equal(cfg.metrics_port, 9090);
    config_cleanup(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_work_with_a_secret),
        cmocka_unit_test(every_bad_variable_is_named),
        cmocka_unit_test(lists_are_split_and_trimmed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
