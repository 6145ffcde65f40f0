/*
 * quickstart: authenticate, list networks, create one with a connector in
 * the first VPN region, read it back and delete it, then show what an
 * error looks like.
 *
 * Credentials come from the environment:
 *   CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID, CLOUDCONNEXA_CLIENT_SECRET
 * `make demo` runs this against the bundled emulator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudconnexa.h"

/* Prints why the last call failed and returns its status. */
static ccx_status report(const char *what, ccx_status status)
{
    fprintf(stderr, "%s failed: %s (%s", what, ccx_last_error(),
            ccx_status_str(status));
    if (ccx_last_http_status() != 0)
        fprintf(stderr, ", HTTP %d", (int)ccx_last_http_status());
    fprintf(stderr, ")\n");
    return status;
}

/*
 * Copies the value of the first "id" field at or after json into out.
 * Enough for this example; a real program would use a JSON parser.
 */
static int first_id(const char *json, char *out, size_t size)
{
    const char *start = json != NULL ? strstr(json, "\"id\"") : NULL;
    const char *end;

    if (start == NULL)
        return -1;
    start += strlen("\"id\"");
    start += strspn(start, " \t\r\n:");
    if (*start++ != '"')
        return -1;
    end = strchr(start, '"');
    if (end == NULL || (size_t)(end - start) >= size)
        return -1;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 0;
}

int main(void)
{
    /*
     * CloudConnexa's documentation says a network needs a connector for
     * any traffic to pass, so the network is created with one, in a region
     * of this tenant (see docs/networks.md).
     */
    const char *format = "{\"name\":\"quickstart-network\","
                         "\"description\":\"made by examples/quickstart.c\","
                         "\"internetAccess\":\"SPLIT_TUNNEL_ON\","
                         "\"egress\":false,"
                         "\"routes\":[{\"value\":\"10.20.0.0/16\","
                         "\"description\":\"office\"}],"
                         "\"connectors\":[{\"name\":"
                         "\"quickstart-network-connector\","
                         "\"vpnRegionId\":\"%s\"}]}";
    char body[1024];
    char *json = NULL;
    char id[128];
    char region[128];
    char connector[128];
    const char *what = "";
    ccx_status status;
    ccx_client *client;

    printf("libcloudconnexa %s\n", ccx_version());

    /* NULL arguments are read from the CLOUDCONNEXA_* variables. */
    client = ccx_client_new(NULL, NULL, NULL, NULL);
    if (client == NULL)
        return report("ccx_client_new", ccx_last_error_code());

    what = "ccx_authenticate";
    status = ccx_authenticate(client);
    if (status != CCX_OK)
        goto fail;
    printf("authenticated; token expires at unix time %lld\n",
           (long long)ccx_token_expires_at(client));

    what = "ccx_networks_list";
    status = ccx_networks_list(client, &json);
    if (status != CCX_OK)
        goto fail;
    printf("networks: %s\n", json);
    ccx_string_free(json);

    what = "ccx_vpn_regions_list";
    status = ccx_vpn_regions_list(client, &json);
    if (status != CCX_OK)
        goto fail;
    if (first_id(json, region, sizeof region) != 0) {
        fprintf(stderr, "no VPN region to put a connector in: %s\n", json);
        ccx_string_free(json);
        ccx_client_free(client);
        return 1;
    }
    ccx_string_free(json);
    printf("first VPN region: %s\n", region);
    snprintf(body, sizeof body, format, region);

    what = "ccx_networks_create";
    status = ccx_networks_create(client, body, &json);
    if (status != CCX_OK)
        goto fail;
    if (first_id(json, id, sizeof id) != 0
        || first_id(strstr(json, "\"connectors\""), connector,
                    sizeof connector) != 0) {
        fprintf(stderr, "created network lacks an id: %s\n", json);
        ccx_string_free(json);
        ccx_client_free(client);
        return 1;
    }
    printf("created: %s\n", json);
    printf("network %s has connector %s in %s\n", id, connector, region);
    ccx_string_free(json);

    what = "ccx_networks_get";
    status = ccx_networks_get(client, id, &json);
    if (status != CCX_OK)
        goto fail;
    printf("read back: %s\n", json);
    ccx_string_free(json);

    what = "ccx_networks_delete";
    status = ccx_networks_delete(client, id);
    if (status != CCX_OK)
        goto fail;
    printf("deleted network %s and its connector\n", id);

    /* Errors carry a status, the HTTP status and the server's message. */
    status = ccx_networks_get(client, id, &json);
    if (status == CCX_ERR_NOT_FOUND) {
        printf("reading it again fails as expected: %s (%s, HTTP %d)\n",
               ccx_last_error(), ccx_status_str(status),
               (int)ccx_last_http_status());
        printf("server's error body: %s\n", ccx_last_error_body());
    } else {
        fprintf(stderr, "expected not found, got %s\n",
                ccx_status_str(status));
        ccx_string_free(json);
        ccx_client_free(client);
        return 1;
    }

    ccx_client_free(client);
    return 0;

fail:
    report(what, status);
    ccx_client_free(client);
    return 1;
}
