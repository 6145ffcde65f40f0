/*
 * onboard_team: a real task end to end. Onboards a project team:
 *
 *   1. a user group for the team,
 *   2. two users in that group,
 *   3. a network, created with its connector in the first VPN region,
 *      and two routes,
 *   4. an access group granting the user group the network,
 *
 * then lists what was made and tears it all down again, newest first.
 *
 * Credentials come from the CLOUDCONNEXA_* variables; `make demo` runs this
 * against the bundled emulator after quickstart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudconnexa.h"

#define MAX_ID 64

/* What was made, so that teardown can undo exactly that. */
struct team {
    char group[MAX_ID];
    char users[2][MAX_ID];
    char network[MAX_ID];
    char region[MAX_ID];
    char connector[MAX_ID];
    char routes[2][MAX_ID];
    char access_group[MAX_ID];
};

static int failed(const char *what, ccx_status status)
{
    fprintf(stderr, "%s failed: %s (%s, HTTP %d)\n", what, ccx_last_error(),
            ccx_status_str(status), (int)ccx_last_http_status());
    return 1;
}

/*
 * Copies the first "id" at or after from into out. Enough for an example;
 * a real program would use a JSON parser such as jansson or cJSON.
 */
static int copy_id(const char *from, char out[MAX_ID])
{
    const char *start = from != NULL ? strstr(from, "\"id\"") : NULL;
    const char *end = NULL;

    if (start != NULL) {
        start += strlen("\"id\"");
        start += strspn(start, " \t\r\n:");
        if (*start++ == '"')
            end = strchr(start, '"');
    }
    if (end == NULL || end - start >= MAX_ID)
        return -1;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return 0;
}

/* copy_id of a whole reply, which it then frees. */
static int take_id(char *json, char out[MAX_ID])
{
    int result = copy_id(json, out);

    ccx_string_free(json);
    return result;
}

/* Counts the objects of a JSON array by their "id" fields. */
static int count_ids(const char *json)
{
    int count = 0;

    for (const char *p = json; (p = strstr(p, "\"id\":")) != NULL; p++)
        count++;
    return count;
}

static int onboard(ccx_client *client, struct team *team)
{
    char body[1024];
    char *json = NULL;
    ccx_status status;
    const char *people[2][2] = {{"ada", "Ada"}, {"grace", "Grace"}};

    status = ccx_user_groups_create(
        client,
        "{\"name\":\"project-apollo\",\"internetAccess\":\"SPLIT_TUNNEL_ON\","
        "\"maxDevice\":3,\"connectAuth\":\"ON_PRIOR_AUTH\","
        "\"allRegionsIncluded\":true}",
        &json);
    if (status != CCX_OK || take_id(json, team->group) != 0)
        return failed("create user group", status);
    printf("user group   %s  project-apollo\n", team->group);

    for (int i = 0; i < 2; i++) {
        snprintf(body, sizeof body,
                 "{\"firstName\":\"%s\",\"lastName\":\"Apollo\","
                 "\"username\":\"%s.apollo\",\"email\":"
                 "\"%s@apollo.example\",\"groupId\":\"%s\","
                 "\"role\":\"MEMBER\"}",
                 people[i][1], people[i][0], people[i][0], team->group);
        status = ccx_users_create(client, body, &json);
        if (status != CCX_OK || take_id(json, team->users[i]) != 0)
            return failed("create user", status);
        printf("user         %s  %s.apollo\n", team->users[i], people[i][0]);
    }

    /* Any region of this tenant will do; the first is as good as any. */
    status = ccx_vpn_regions_list(client, &json);
    if (status != CCX_OK || take_id(json, team->region) != 0)
        return failed("list VPN regions", status);

    /*
     * The connector goes in the create body, as CloudConnexa's own tools
     * do: the documentation says a network needs one for any traffic, so
     * a real tenant may refuse a network without.
     */
    snprintf(body, sizeof body,
             "{\"name\":\"apollo-lab\",\"description\":\"lab for project "
             "apollo\",\"internetAccess\":\"SPLIT_TUNNEL_ON\","
             "\"egress\":false,\"connectors\":[{\"name\":"
             "\"apollo-lab-connector\",\"description\":\"lab gateway\","
             "\"vpnRegionId\":\"%s\"}]}",
             team->region);
    status = ccx_networks_create(client, body, &json);
    if (status != CCX_OK || copy_id(json, team->network) != 0
        || copy_id(strstr(json, "\"connectors\""), team->connector) != 0) {
        ccx_string_free(json);
        return failed("create network", status);
    }
    ccx_string_free(json);
    printf("network      %s  apollo-lab\n", team->network);
    printf("connector    %s  apollo-lab-connector in %s\n", team->connector,
           team->region);

    const char *subnets[2] = {"10.42.0.0/16", "10.43.0.0/16"};
    for (int i = 0; i < 2; i++) {
        snprintf(body, sizeof body,
                 "{\"value\":\"%s\",\"description\":\"lab subnet %d\"}",
                 subnets[i], i + 1);
        status = ccx_network_routes_create(client, team->network, body,
                                           &json);
        if (status != CCX_OK || take_id(json, team->routes[i]) != 0)
            return failed("create route", status);
        printf("route        %s  %s\n", team->routes[i], subnets[i]);
    }

    snprintf(body, sizeof body,
             "{\"name\":\"apollo-access\",\"description\":\"project apollo "
             "to its lab\",\"source\":[{\"type\":\"USER_GROUP\","
             "\"allCovered\":false,\"children\":[\"%s\"]}],"
             "\"destination\":[{\"type\":\"NETWORK_SERVICE\","
             "\"allCovered\":true,\"parent\":\"%s\"}]}",
             team->group, team->network);
    status = ccx_access_groups_create(client, body, &json);
    if (status != CCX_OK || take_id(json, team->access_group) != 0)
        return failed("create access group", status);
    printf("access group %s  apollo-access\n", team->access_group);
    return 0;
}

static int show(ccx_client *client, const struct team *team)
{
    char *json = NULL;
    ccx_status status;

    status = ccx_network_routes_list(client, team->network, &json);
    if (status != CCX_OK)
        return failed("list routes", status);
    printf("\nthe network has %d routes: %s\n", count_ids(json), json);
    ccx_string_free(json);

    status = ccx_network_connectors_list(client, team->network, &json);
    if (status != CCX_OK)
        return failed("list connectors", status);
    printf("the network has %d connector(s): %s\n", count_ids(json), json);
    ccx_string_free(json);

    status = ccx_networks_get(client, team->network, &json);
    if (status != CCX_OK)
        return failed("get network", status);
    printf("the network as the API shows it: %s\n", json);
    ccx_string_free(json);

    status = ccx_access_groups_get(client, team->access_group, &json);
    if (status != CCX_OK)
        return failed("get access group", status);
    printf("the access group: %s\n\n", json);
    ccx_string_free(json);
    return 0;
}

/* Deletes whatever was made, newest first; reports but goes on. */
static int teardown(ccx_client *client, const struct team *team)
{
    int errors = 0;
    ccx_status status;

#define UNDO(what, id, call)                                                \
    do {                                                                    \
        if ((id)[0] != '\0') {                                              \
            status = (call);                                                \
            if (status == CCX_OK)                                           \
                printf("deleted %-12s %s\n", what, id);                     \
            else                                                            \
                errors += failed("delete " what, status);                   \
        }                                                                   \
    } while (0)

    UNDO("access group", team->access_group,
         ccx_access_groups_delete(client, team->access_group));
    for (int i = 1; i >= 0; i--)
        UNDO("route", team->routes[i],
             ccx_network_routes_delete(client, team->routes[i]));
    /*
     * The connector goes with its network: deleting a network's only
     * connector first is something a real tenant may refuse.
     */
    UNDO("network", team->network,
         ccx_networks_delete(client, team->network));
    for (int i = 1; i >= 0; i--)
        UNDO("user", team->users[i],
             ccx_users_delete(client, team->users[i]));
    UNDO("user group", team->group,
         ccx_user_groups_delete(client, team->group));
#undef UNDO
    return errors;
}

int main(void)
{
    struct team team;
    ccx_client *client = ccx_client_new(NULL, NULL, NULL, NULL);
    int result;

    if (client == NULL)
        return failed("ccx_client_new", ccx_last_error_code());
    memset(&team, 0, sizeof team);

    printf("onboarding project apollo\n");
    result = onboard(client, &team);
    if (result == 0)
        result = show(client, &team);
    printf("tearing down\n");
    result |= teardown(client, &team);

    ccx_client_free(client);
    return result;
}
