/*
 * Built by test-install with nothing but pkg-config's flags against the
 * staged installation: checks that the version in the header, in the
 * library and in Cargo.toml (EXPECTED_VERSION) agree, then makes real calls
 * against the emulator.
 */
#include <stdio.h>
#include <string.h>

#include "cloudconnexa.h"
#include "../c/check.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define HEADER_VERSION                                                     \
    STR(CCX_VERSION_MAJOR) "." STR(CCX_VERSION_MINOR) "."                  \
        STR(CCX_VERSION_PATCH)

int main(void)
{
    char *json = NULL;
    ccx_client *client;

    CHECK(strcmp(HEADER_VERSION, EXPECTED_VERSION) == 0);
    CHECK(strcmp(ccx_version(), EXPECTED_VERSION) == 0);
    if (strcmp(ccx_version(), HEADER_VERSION) != 0)
        fprintf(stderr, "header %s, library %s, Cargo.toml %s\n",
                HEADER_VERSION, ccx_version(), EXPECTED_VERSION);

    client = ccx_client_new(NULL, NULL, NULL, NULL);
    CHECK(client != NULL);
    if (client == NULL) {
        fprintf(stderr, "ccx_client_new: %s\n", ccx_last_error());
        return check_summary();
    }

    CHECK_STATUS(ccx_authenticate(client), CCX_OK);
    CHECK(ccx_token_expires_at(client) > 0);

    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    CHECK(json != NULL && json[0] == '[');
    ccx_string_free(json);

    CHECK_STATUS(ccx_networks_get(client, "no-such-network", &json),
                 CCX_ERR_NOT_FOUND);
    CHECK(json == NULL);
    CHECK(ccx_last_http_status() == 404);
    CHECK(strstr(ccx_last_error(), "no-such-network") != NULL);

    ccx_client_free(client);
    return check_summary();
}
