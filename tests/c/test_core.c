/*
 * The core C ABI against the emulator: ownership, NULL and bad input,
 * errors, and a round trip through networks and users.
 *
 * Run by `make test-c` with the CLOUDCONNEXA_* variables pointing at an
 * emulator started with --token-ttl 2.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cloudconnexa.h"

static const char *env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL ? value : "";
}

static void test_static_functions(void)
{
    char expected[32];

    snprintf(expected, sizeof expected, "%d.%d.%d", CCX_VERSION_MAJOR,
             CCX_VERSION_MINOR, CCX_VERSION_PATCH);
    CHECK(strcmp(ccx_version(), expected) == 0);
    CHECK(strcmp(ccx_status_str(CCX_OK), "ok") == 0);
    CHECK(strcmp(ccx_status_str(CCX_ERR_NOT_FOUND), "not found") == 0);
    CHECK(strcmp(ccx_status_str(999), "unknown status") == 0);
    CHECK(strcmp(ccx_status_str(-1), "unknown status") == 0);
    for (int s = CCX_OK; s <= CCX_ERR_INTERNAL; s++)
        CHECK(strcmp(ccx_status_str(s), "unknown status") != 0);

    /* The free functions take NULL. */
    ccx_client_free(NULL);
    ccx_string_free(NULL);
    CHECK(ccx_token_expires_at(NULL) == 0);
}

static void test_null_and_bad_input(ccx_client *client)
{
    char *out = (char *)"untouched";
    const char bad_utf8[] = {'a', (char)0xff, 'b', 0};

    CHECK_STATUS(ccx_authenticate(NULL), CCX_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ccx_last_error(), "client") != NULL);
    CHECK(ccx_last_error_code() == CCX_ERR_INVALID_ARGUMENT);
    CHECK(ccx_last_http_status() == 0);

    CHECK_STATUS(ccx_networks_list(NULL, &out), CCX_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_STATUS(ccx_networks_get(client, NULL, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ccx_last_error(), "id") != NULL);
    CHECK_STATUS(ccx_networks_get(client, bad_utf8, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ccx_last_error(), "UTF-8") != NULL);
    CHECK_STATUS(ccx_networks_create(client, "{\"name\":", &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ccx_last_error(), "body_json") != NULL);
    CHECK_STATUS(ccx_networks_create(client, NULL, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_request(client, NULL, "/networks", NULL, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_request(client, "GET", NULL, NULL, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_request(client, "FETCH", "/networks", NULL, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_request(client, "GET", "https://evil.example/", NULL,
                             &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_request(client, "GET", "/networks/../users", NULL,
                             &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_networks_page(client, -1, 10, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_networks_page(client, 0, 1001, &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_network_routes_create(client, NULL, "{}", &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ccx_last_error(), "network_id") != NULL);
    CHECK_STATUS(ccx_settings_get(client, "no/such-setting", &out),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_client_set_page_size(client, 0),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_client_set_timeout_ms(NULL, 10),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_client_set_user_agent(client, NULL),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_client_set_ca_file(client, "/nonexistent/ca.pem"),
                 CCX_ERR_CONFIG);
    CHECK_STATUS(ccx_client_set_log_callback(client, 9, NULL, NULL),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);

    /* Success clears the thread's last error. */
    CHECK_STATUS(ccx_client_set_page_size(client, 1000), CCX_OK);
    CHECK(strcmp(ccx_last_error(), "") == 0);
    CHECK(ccx_last_error_code() == CCX_OK);
    CHECK(strcmp(ccx_last_error_body(), "") == 0);
}

static void test_configuration_errors(void)
{
    const char *url = env("CLOUDCONNEXA_API_URL");
    ccx_client *client;

    client = ccx_client_new("acme.api.openvpn.com", "id", "secret", NULL);
    CHECK(client == NULL);
    CHECK(ccx_last_error_code() == CCX_ERR_CONFIG);
    CHECK(strstr(ccx_last_error(), "https://") != NULL);

    client = ccx_client_new("http://acme.api.openvpn.com", "id", "s", NULL);
    CHECK(client == NULL);
    CHECK(ccx_last_error_code() == CCX_ERR_CONFIG);

    client = ccx_client_new(url, "id", "secret", "9.9");
    CHECK(client == NULL);
    CHECK(ccx_last_error_code() == CCX_ERR_CONFIG);
    CHECK(strstr(ccx_last_error(), "api_version") != NULL);

    client = ccx_client_new(url, "id", "secret", "v1.2");
    CHECK(client != NULL);
    ccx_client_free(client);
}

static void test_wrong_secret(void)
{
    const char *secret = "wrong-secret-5f2c9d";
    ccx_client *client = ccx_client_new(env("CLOUDCONNEXA_API_URL"),
                                        env("CLOUDCONNEXA_CLIENT_ID"),
                                        secret, NULL);
    char *out = NULL;

    CHECK(client != NULL);
    CHECK_STATUS(ccx_authenticate(client), CCX_ERR_AUTH);
    CHECK(ccx_last_http_status() == 401);
    CHECK(strstr(ccx_last_error(), "Bad client credentials") != NULL);
    CHECK(strstr(ccx_last_error(), secret) == NULL);
    CHECK(strstr(ccx_last_error_body(), "invalid_client") != NULL);
    CHECK_STATUS(ccx_networks_list(client, &out), CCX_ERR_AUTH);
    CHECK(out == NULL);
    CHECK(ccx_token_expires_at(client) == 0);
    ccx_client_free(client);
}

static char *created_id(const char *json)
{
    const char *start = strstr(json, "\"id\":\"");
    const char *end;
    char *id;

    if (start == NULL)
        return NULL;
    start += 6;
    end = strchr(start, '"');
    if (end == NULL)
        return NULL;
    id = malloc((size_t)(end - start) + 1);
    if (id == NULL)
        return NULL;
    memcpy(id, start, (size_t)(end - start));
    id[end - start] = '\0';
    return id;
}

static void test_networks_round_trip(ccx_client *client)
{
    char *out = NULL;
    char *id;

    CHECK_STATUS(ccx_networks_create(
                     client,
                     "{\"name\":\"c-test\",\"internetAccess\":"
                     "\"SPLIT_TUNNEL_ON\",\"egress\":false}",
                     &out),
                 CCX_OK);
    CHECK(out != NULL && strstr(out, "\"c-test\"") != NULL);
    id = out != NULL ? created_id(out) : NULL;
    ccx_string_free(out);
    CHECK(id != NULL);
    if (id == NULL)
        return;

    CHECK_STATUS(ccx_networks_get(client, id, &out), CCX_OK);
    CHECK(out != NULL && strstr(out, id) != NULL);
    ccx_string_free(out);

    CHECK_STATUS(ccx_networks_update(client, id,
                                     "{\"name\":\"c-test-renamed\"}", &out),
                 CCX_OK);
    CHECK(out != NULL && strstr(out, "c-test-renamed") != NULL);
    ccx_string_free(out);

    CHECK_STATUS(ccx_networks_list(client, &out), CCX_OK);
    CHECK(out != NULL && out[0] == '[' && strstr(out, id) != NULL);
    ccx_string_free(out);

    CHECK_STATUS(ccx_networks_page(client, 0, 1, &out), CCX_OK);
    CHECK(out != NULL && strstr(out, "\"totalPages\"") != NULL);
    ccx_string_free(out);

    /* out_json may be NULL when the result is not wanted. */
    CHECK_STATUS(ccx_networks_get(client, id, NULL), CCX_OK);

    CHECK_STATUS(ccx_networks_delete(client, id), CCX_OK);
    CHECK_STATUS(ccx_networks_get(client, id, &out), CCX_ERR_NOT_FOUND);
    CHECK(out == NULL);
    CHECK(ccx_last_http_status() == 404);
    CHECK(strstr(ccx_last_error(), "GET /api/v1/networks/") != NULL);
    CHECK(strstr(ccx_last_error_body(), "errorMessage") != NULL);
    free(id);
}

static void test_users_round_trip(ccx_client *client)
{
    char *out = NULL;
    char *id;

    CHECK_STATUS(ccx_users_list(client, &out), CCX_OK);
    CHECK(out != NULL && out[0] == '[');
    ccx_string_free(out);

    CHECK_STATUS(ccx_users_create(client,
                                  "{\"firstName\":\"Ada\",\"lastName\":"
                                  "\"L\",\"username\":\"ada\",\"email\":"
                                  "\"ada@example.com\",\"role\":\"MEMBER\"}",
                                  &out),
                 CCX_OK);
    id = out != NULL ? created_id(out) : NULL;
    ccx_string_free(out);
    CHECK(id != NULL);
    if (id == NULL)
        return;
    CHECK_STATUS(ccx_users_get(client, id, &out), CCX_OK);
    CHECK(out != NULL && strstr(out, "ada@example.com") != NULL);
    ccx_string_free(out);
    CHECK_STATUS(ccx_users_update(client, id, "{\"firstName\":\"Ada\","
                                              "\"lastName\":\"Lovelace\"}",
                                  &out),
                 CCX_OK);
    ccx_string_free(out);
    CHECK_STATUS(ccx_users_page(client, 0, 10, &out), CCX_OK);
    ccx_string_free(out);
    CHECK_STATUS(ccx_users_delete(client, id), CCX_OK);
    CHECK_STATUS(ccx_users_delete(client, id), CCX_ERR_NOT_FOUND);
    free(id);
}

/* Freeing returns nothing, so it must not touch the last error. */
static void test_free_keeps_last_error(ccx_client *client)
{
    ccx_client *other = ccx_client_new(NULL, NULL, NULL, NULL);
    char *out = NULL;

    CHECK(other != NULL);
    CHECK_STATUS(ccx_networks_get(client, "no-such-network", &out),
                 CCX_ERR_NOT_FOUND);
    ccx_client_free(other);
    ccx_string_free(NULL);
    CHECK(ccx_last_error_code() == CCX_ERR_NOT_FOUND);
    CHECK(ccx_last_http_status() == 404);
    CHECK(strstr(ccx_last_error(), "no-such-network") != NULL);
}

static void test_token_refresh(ccx_client *client)
{
    int64_t first;
    char *out = NULL;

    CHECK_STATUS(ccx_authenticate(client), CCX_OK);
    first = ccx_token_expires_at(client);
    CHECK(first > (int64_t)time(NULL) - 5);
    sleep(3); /* the emulator's tokens live 2 s here */
    CHECK_STATUS(ccx_networks_list(client, &out), CCX_OK);
    ccx_string_free(out);
    CHECK(ccx_token_expires_at(client) > first);
}

int main(void)
{
    ccx_client *client = ccx_client_new(NULL, NULL, NULL, NULL);

    test_static_functions();
    CHECK(client != NULL);
    if (client == NULL) {
        fprintf(stderr, "ccx_client_new: %s\n", ccx_last_error());
        return check_summary();
    }
    test_null_and_bad_input(client);
    test_configuration_errors();
    test_wrong_secret();
    test_networks_round_trip(client);
    test_users_round_trip(client);
    test_free_keeps_last_error(client);
    test_token_refresh(client);
    ccx_client_free(client);
    return check_summary();
}
