/*
 * ccx: the CloudConnexa API from the shell, built on libcloudconnexa.
 *
 *   ccx <resource> <verb> [ID] [options]
 *
 * Every (resource, verb) pair is one row of the command table below: the
 * library function and the shape of its arguments. Adding an operation is
 * adding a row. Credentials come from the CLOUDCONNEXA_* variables, JSON
 * results go to stdout re-indented (never re-encoded), errors to stderr,
 * and the exit code says what kind of failure it was.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cloudconnexa.h"
#include "json_pretty.h"

/* Exit codes: the kinds of failure a script may want to tell apart. */
enum {
    EXIT_OK = 0,
    EXIT_OTHER = 1,
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,
    EXIT_AUTH = 4,
    EXIT_NOT_FOUND = 5,
    EXIT_CONFLICT = 6,
    EXIT_INVALID = 7,
    EXIT_RATE_LIMITED = 8,
    EXIT_SERVER = 9,
    EXIT_NETWORK = 10,
    EXIT_AMBIGUOUS = 11
};

/* How a library function takes its arguments (after the client). */
enum shape {
    S_LIST,          /* (out) */
    S_LIST_PARENT,   /* (parent, out) */
    S_PAGE,          /* (page, size, out) */
    S_PAGE_PARENT,   /* (parent, page, size, out) */
    S_CREATE,        /* (body, out) */
    S_CREATE_PARENT, /* (parent, body, out) */
    S_GET,           /* (id, out) */
    S_GET_PARENT,    /* (parent, id, out) */
    S_UPDATE,        /* (id, body, out) */
    S_UPDATE_PARENT, /* (parent, id, body, out) */
    S_ID,            /* (id): delete and actions */
    S_ID_PARENT,     /* (parent, id) */
    S_ID_OUT,        /* (id, out) */
    S_DEVICE_PROFILE, /* (user, id, region, out) */
    S_BODY,          /* (body) */
    S_OUT,           /* (out) for a single object, e.g. dns-log get */
    S_NONE,          /* () */
    S_FILTER_LIST,   /* (filter, out) */
    S_FILTER_PAGE,   /* (filter, cursor, size, out) */
    S_SETTING_GET,   /* (name, out) */
    S_SETTING_SET    /* (name, value, out) */
};

typedef void (*any_fn)(void);
#define FN(f) ((any_fn)(f))

struct command {
    const char *resource;
    const char *verb;
    enum shape shape;
    any_fn fn;
    const char *parent; /* the parent option's name, or NULL */
    int parent_required;
};

#define CRUD(r, f)                                                         \
    {r, "list", S_LIST, FN(f##_list), NULL, 0},                            \
    {r, "page", S_PAGE, FN(f##_page), NULL, 0},                            \
    {r, "get", S_GET, FN(f##_get), NULL, 0},                               \
    {r, "create", S_CREATE, FN(f##_create), NULL, 0},                      \
    {r, "update", S_UPDATE, FN(f##_update), NULL, 0},                      \
    {r, "delete", S_ID, FN(f##_delete), NULL, 0}

/* Children listed under an optional parent and created under a required
 * one, e.g. routes of a network. */
#define CHILD(r, f, p)                                                     \
    {r, "list", S_LIST_PARENT, FN(f##_list), p, 0},                        \
    {r, "page", S_PAGE_PARENT, FN(f##_page), p, 0},                        \
    {r, "get", S_GET, FN(f##_get), NULL, 0},                               \
    {r, "create", S_CREATE_PARENT, FN(f##_create), p, 1},                  \
    {r, "update", S_UPDATE, FN(f##_update), NULL, 0}

#define CONNECTORS(r, f, p)                                                \
    CHILD(r, f, p),                                                        \
    {r, "delete", S_ID_PARENT, FN(f##_delete), p, 0},                      \
    {r, "profile", S_ID_OUT, FN(f##_profile), NULL, 0},                    \
    {r, "profile-token", S_ID_OUT, FN(f##_profile_token), NULL, 0},        \
    {r, "activate", S_ID, FN(f##_activate), NULL, 0},                      \
    {r, "suspend", S_ID, FN(f##_suspend), NULL, 0}

static const struct command commands[] = {
    CRUD("networks", ccx_networks),
    CHILD("network-routes", ccx_network_routes, "network"),
    {"network-routes", "delete", S_ID, FN(ccx_network_routes_delete), NULL,
     0},
    CONNECTORS("network-connectors", ccx_network_connectors, "network"),
    {"network-connectors", "ipsec-start", S_ID,
     FN(ccx_network_connectors_ipsec_start), NULL, 0},
    {"network-connectors", "ipsec-stop", S_ID,
     FN(ccx_network_connectors_ipsec_stop), NULL, 0},
    CHILD("network-ip-services", ccx_network_ip_services, "network"),
    {"network-ip-services", "delete", S_ID,
     FN(ccx_network_ip_services_delete), NULL, 0},
    CHILD("network-applications", ccx_network_applications, "network"),
    {"network-applications", "delete", S_ID,
     FN(ccx_network_applications_delete), NULL, 0},
    CRUD("hosts", ccx_hosts),
    CONNECTORS("host-connectors", ccx_host_connectors, "host"),
    CHILD("host-ip-services", ccx_host_ip_services, "host"),
    {"host-ip-services", "delete", S_ID, FN(ccx_host_ip_services_delete),
     NULL, 0},
    CHILD("host-applications", ccx_host_applications, "host"),
    {"host-applications", "delete", S_ID,
     FN(ccx_host_applications_delete), NULL, 0},
    CRUD("users", ccx_users),
    {"users", "suspend", S_ID, FN(ccx_users_suspend), NULL, 0},
    {"users", "activate", S_ID, FN(ccx_users_activate), NULL, 0},
    CRUD("user-groups", ccx_user_groups),
    {"devices", "list", S_LIST_PARENT, FN(ccx_devices_list), "user", 0},
    {"devices", "page", S_PAGE_PARENT, FN(ccx_devices_page), "user", 0},
    {"devices", "get", S_GET_PARENT, FN(ccx_devices_get), "user", 1},
    {"devices", "create", S_CREATE_PARENT, FN(ccx_devices_create), "user",
     1},
    {"devices", "update", S_UPDATE_PARENT, FN(ccx_devices_update), "user",
     1},
    {"devices", "delete", S_ID_PARENT, FN(ccx_devices_delete), "user", 1},
    {"devices", "profile", S_DEVICE_PROFILE, FN(ccx_devices_profile),
     "user", 1},
    {"devices", "profile-revoke", S_ID_PARENT,
     FN(ccx_devices_profile_revoke), "user", 1},
    CRUD("device-postures", ccx_device_postures),
    CRUD("dns-records", ccx_dns_records),
    {"vpn-regions", "list", S_LIST, FN(ccx_vpn_regions_list), NULL, 0},
    CRUD("location-contexts", ccx_location_contexts),
    CRUD("access-groups", ccx_access_groups),
    {"sessions", "list", S_FILTER_LIST, FN(ccx_sessions_list), NULL, 0},
    {"sessions", "page", S_FILTER_PAGE, FN(ccx_sessions_page), NULL, 0},
    {"audit-logs", "list", S_FILTER_LIST, FN(ccx_audit_logs_list), NULL, 0},
    {"audit-logs", "page", S_FILTER_PAGE, FN(ccx_audit_logs_page), NULL, 0},
    {"cyber-shield", "allow-list-add", S_BODY,
     FN(ccx_cyber_shield_allow_list_add), NULL, 0},
    {"cyber-shield", "allow-list-remove", S_BODY,
     FN(ccx_cyber_shield_allow_list_remove), NULL, 0},
    {"cyber-shield", "block-list-add", S_BODY,
     FN(ccx_cyber_shield_block_list_add), NULL, 0},
    {"cyber-shield", "block-list-remove", S_BODY,
     FN(ccx_cyber_shield_block_list_remove), NULL, 0},
    {"dns-log", "get", S_OUT, FN(ccx_dns_log_get), NULL, 0},
    {"dns-log", "enable", S_NONE, FN(ccx_dns_log_enable), NULL, 0},
    {"dns-log", "disable", S_NONE, FN(ccx_dns_log_disable), NULL, 0},
    {"access-visibility", "get", S_OUT, FN(ccx_access_visibility_get), NULL,
     0},
    {"access-visibility", "enable", S_NONE,
     FN(ccx_access_visibility_enable), NULL, 0},
    {"access-visibility", "disable", S_NONE,
     FN(ccx_access_visibility_disable), NULL, 0},
    {"settings", "get", S_SETTING_GET, FN(ccx_settings_get), NULL, 0},
    {"settings", "set", S_SETTING_SET, FN(ccx_settings_set), NULL, 0},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* What the command line said, beyond the resource and the verb. */
struct options {
    const char *id;
    const char *value;
    const char *parent;
    const char *parent_option; /* which parent option was given */
    const char *region;
    const char *json_source;
    const char *filter;
    const char *cursor;
    int page;
    int size;
    int paged; /* --page or --size given */
    int progress;
};

static const char *program = "ccx";

static const char general_usage[] =
    "usage: ccx <resource> <verb> [ID] [options]\n"
    "       ccx settings get NAME | ccx settings set NAME [VALUE]\n"
    "       ccx token\n"
    "       ccx --help | ccx <resource> --help | ccx --version\n";

static const char options_help[] =
    "options:\n"
    "  --network ID, --host ID, --user ID\n"
    "                   the parent of network-*, host-* and devices items\n"
    "  --region ID      the VPN region (devices profile)\n"
    "  --page N --size N\n"
    "                   one page instead of every item (pages start at 0)\n"
    "  --cursor C       where a sessions or audit-logs page starts\n"
    "  --filter JSON    sessions and audit-logs filter, e.g.\n"
    "                   '{\"startDate\":\"2024-01-01T00:00:00Z\"}'\n"
    "  --json FILE|-    the request body (create, update, cyber-shield,\n"
    "                   settings set), from a file or stdin\n"
    "  --progress       report rate-limit waits and retries on stderr\n"
    "                   (on by default when stderr is a terminal)\n";

static const char environment_help[] =
    "environment:\n"
    "  CLOUDCONNEXA_API_URL    https://<cloud-id>.api.openvpn.com\n"
    "  CLOUDCONNEXA_CLIENT_ID, CLOUDCONNEXA_CLIENT_SECRET\n"
    "  CLOUDCONNEXA_API_VERSION  optional, e.g. 1.1.0\n"
    "  CCX_LOG=error|warn|info|debug  the library's log on stderr\n";

static const char exit_help[] =
    "exit codes:\n"
    "   0  success\n"
    "   1  any other failure (unexpected reply, unsupported by the API\n"
    "      version, internal error)\n"
    "   2  bad usage or bad input (unknown verb, malformed JSON)\n"
    "   3  configuration: missing or malformed URL or credentials\n"
    "   4  authentication refused (401) or forbidden (403)\n"
    "   5  not found (404, or the API's 400 \"does not exist\")\n"
    "   6  conflict (409)\n"
    "   7  rejected by the API's validation (400, 422)\n"
    "   8  rate limited (429) after every retry\n"
    "   9  server error (5xx) after every retry\n"
    "  10  network error or timeout\n"
    "  11  a create was sent but its outcome is unknown: check first\n";

static void print_resources(FILE *out)
{
    const char *last = NULL;
    int column = 0;

    fputs("resources:\n ", out);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const char *name = commands[i].resource;
        if (last != NULL && strcmp(last, name) == 0)
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcmp(commands[j].resource, name) == 0)
                name = NULL;
        if (name == NULL)
            continue;
        if (column + (int)strlen(name) > 70) {
            fputs("\n ", out);
            column = 0;
        }
        column += fprintf(out, " %s", name);
        last = name;
    }
    fputs("\n", out);
}

static void general_help(FILE *out)
{
    fputs("ccx: the CloudConnexa API from the command line\n\n", out);
    fputs(general_usage, out);
    fputc('\n', out);
    print_resources(out);
    fputs("\nverbs: list, page, get, create, update, delete, and actions;"
          "\n  see ccx <resource> --help\n\n",
          out);
    fputs(options_help, out);
    fputc('\n', out);
    fputs(environment_help, out);
    fputc('\n', out);
    fputs(exit_help, out);
}

/* One usage line for a command, from its shape. */
static void command_usage(FILE *out, const struct command *c)
{
    const char *body = " --json FILE|-";
    char parent[48] = "";

    if (c->parent != NULL)
        snprintf(parent, sizeof parent, c->parent_required ? " --%s ID"
                                                           : " [--%s ID]",
                 c->parent);
    fprintf(out, "  ccx %s %s", c->resource, c->verb);
    switch (c->shape) {
    case S_LIST:
    case S_LIST_PARENT:
        fprintf(out, "%s [--page N --size N]", parent);
        break;
    case S_PAGE:
    case S_PAGE_PARENT:
        fprintf(out, "%s --page N --size N", parent);
        break;
    case S_CREATE:
    case S_CREATE_PARENT:
        fprintf(out, "%s%s", parent, body);
        break;
    case S_GET:
    case S_GET_PARENT:
    case S_ID:
    case S_ID_PARENT:
    case S_ID_OUT:
        fprintf(out, " ID%s", parent);
        break;
    case S_UPDATE:
    case S_UPDATE_PARENT:
        fprintf(out, " ID%s%s", parent, body);
        break;
    case S_DEVICE_PROFILE:
        fprintf(out, " ID%s --region ID", parent);
        break;
    case S_BODY:
        fputs(body, out);
        break;
    case S_FILTER_LIST:
        fputs(" [--filter JSON] [--cursor C --size N]", out);
        break;
    case S_FILTER_PAGE:
        fputs(" [--filter JSON] [--cursor C] --size N", out);
        break;
    case S_SETTING_GET:
        fputs(" NAME", out);
        break;
    case S_SETTING_SET:
        fputs(" NAME VALUE_JSON | NAME --json FILE|-", out);
        break;
    case S_OUT:
    case S_NONE:
        break;
    }
    fputc('\n', out);
}

static int resource_help(FILE *out, const char *resource)
{
    int found = 0;

    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].resource, resource) != 0)
            continue;
        if (!found)
            fprintf(out, "usage:\n");
        command_usage(out, &commands[i]);
        found = 1;
    }
    if (found && strcmp(resource, "settings") == 0)
        fputs("\nVALUE_JSON is JSON: true, 42, '\"FULL_MESH\"' (a text "
              "setting takes a\nquoted string), or an object.\n",
              out);
    return found;
}

static int usage_error(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n\n%s(ccx --help for more)\n", general_usage);
    return EXIT_USAGE;
}

static int exit_code(ccx_status status)
{
    switch (status) {
    case CCX_OK:
        return EXIT_OK;
    case CCX_ERR_INVALID_ARGUMENT:
        return EXIT_USAGE;
    case CCX_ERR_CONFIG:
        return EXIT_CONFIG;
    case CCX_ERR_AUTH:
    case CCX_ERR_FORBIDDEN:
        return EXIT_AUTH;
    case CCX_ERR_NOT_FOUND:
        return EXIT_NOT_FOUND;
    case CCX_ERR_CONFLICT:
        return EXIT_CONFLICT;
    case CCX_ERR_VALIDATION:
        return EXIT_INVALID;
    case CCX_ERR_RATE_LIMITED:
        return EXIT_RATE_LIMITED;
    case CCX_ERR_SERVER:
        return EXIT_SERVER;
    case CCX_ERR_NETWORK:
    case CCX_ERR_TIMEOUT:
        return EXIT_NETWORK;
    case CCX_ERR_AMBIGUOUS:
        return EXIT_AMBIGUOUS;
    default:
        return EXIT_OTHER;
    }
}

/*
 * Writes text with every control character (CR, LF, ESC, ...) turned into
 * a space: a message from the server stays one line on stderr and cannot
 * move the cursor or fake further lines.
 */
static void put_one_line(FILE *out, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
    }
}

/* Reports the calling thread's last error and returns its exit code. */
static int report_failure(ccx_status status)
{
    int http = ccx_last_http_status();

    fprintf(stderr, "%s: %s: ", program, ccx_status_str(status));
    put_one_line(stderr, ccx_last_error());
    if (http != 0)
        fprintf(stderr, " [HTTP %d]", http);
    fputc('\n', stderr);
    return exit_code(status);
}

/* The whole of a file, or of stdin for "-"; NULL with a message if not. */
static char *read_source(const char *source)
{
    FILE *in = strcmp(source, "-") == 0 ? stdin : fopen(source, "rb");
    size_t used = 0, capacity = 4096;
    char *text;

    if (in == NULL) {
        fprintf(stderr, "%s: cannot open %s: %s\n", program, source,
                strerror(errno));
        return NULL;
    }
    text = malloc(capacity);
    while (text != NULL) {
        size_t got = fread(text + used, 1, capacity - used - 1, in);
        used += got;
        if (got == 0)
            break;
        if (capacity - used - 1 == 0) {
            char *bigger = realloc(text, capacity * 2);
            if (bigger == NULL) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            capacity *= 2;
        }
    }
    if (text != NULL)
        text[used] = '\0';
    if (in != stdin)
        fclose(in);
    if (text == NULL)
        fprintf(stderr, "%s: out of memory reading %s\n", program, source);
    return text;
}

static int parse_number(const char *text, int *out)
{
    char *end = NULL;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0
        || value > 1000000)
        return -1;
    *out = (int)value;
    return 0;
}

/* Progress for long lists: waits and retries, as the library reports. */
static void on_log(ccx_log_level level, const char *message, void *unused)
{
    (void)unused;
    if (level == CCX_LOG_WARN || strstr(message, "waiting") != NULL) {
        fprintf(stderr, "%s: ", program);
        put_one_line(stderr, message);
        fputs("...\n", stderr);
    }
}

/* The options that take a value; --progress is the only flag. */
static int takes_a_value(const char *arg)
{
    static const char *const names[] = {
        "--network", "--host", "--user", "--region", "--json",
        "--filter",  "--cursor", "--page", "--size",
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(arg, names[i]) == 0)
            return 1;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int positional = 0;

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        int takes_value = 1;

        if (strcmp(arg, "--progress") == 0) {
            o->progress = 1;
            takes_value = 0;
        } else if (strncmp(arg, "--", 2) != 0 || strcmp(arg, "-") == 0) {
            if (positional == 0)
                o->id = arg;
            else if (positional == 1)
                o->value = arg;
            else
                return usage_error("unexpected argument '%s'", arg);
            positional++;
            takes_value = 0;
        } else if (!takes_a_value(arg)) {
            return usage_error("unknown option %s", arg);
        } else if (next == NULL) {
            return usage_error("%s needs a value", arg);
        } else if (strcmp(arg, "--network") == 0
                   || strcmp(arg, "--host") == 0
                   || strcmp(arg, "--user") == 0) {
            o->parent = next;
            o->parent_option = arg + 2;
        } else if (strcmp(arg, "--region") == 0) {
            o->region = next;
        } else if (strcmp(arg, "--json") == 0) {
            o->json_source = next;
        } else if (strcmp(arg, "--filter") == 0) {
            o->filter = next;
        } else if (strcmp(arg, "--cursor") == 0) {
            o->cursor = next;
            o->paged = 1;
        } else if (strcmp(arg, "--page") == 0
                   || strcmp(arg, "--size") == 0) {
            int *target = arg[2] == 'p' ? &o->page : &o->size;
            if (parse_number(next, target) != 0)
                return usage_error("%s takes a number, not '%s'", arg, next);
            o->paged = 1;
        } else {
            return usage_error("unknown option %s", arg);
        }
        if (takes_value)
            i++;
    }
    return EXIT_OK;
}

static const struct command *find_command(const char *resource,
                                          const char *verb)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].resource, resource) == 0
            && strcmp(commands[i].verb, verb) == 0)
            return &commands[i];
    return NULL;
}

/* Checks that the options fit the command; prints why not. */
static int check_options(const struct command *c, const struct options *o)
{
    enum shape s = c->shape;
    int wants_id = s == S_GET || s == S_GET_PARENT || s == S_UPDATE
                   || s == S_UPDATE_PARENT || s == S_ID || s == S_ID_PARENT
                   || s == S_ID_OUT || s == S_DEVICE_PROFILE
                   || s == S_SETTING_GET || s == S_SETTING_SET;
    int wants_body = s == S_CREATE || s == S_CREATE_PARENT || s == S_UPDATE
                     || s == S_UPDATE_PARENT || s == S_BODY;

    if (wants_id && o->id == NULL)
        return usage_error("%s %s needs %s", c->resource, c->verb,
                           s == S_SETTING_GET || s == S_SETTING_SET
                               ? "a setting NAME"
                               : "an ID");
    if (!wants_id && o->id != NULL)
        return usage_error("%s %s takes no ID ('%s')", c->resource, c->verb,
                           o->id);
    if (o->value != NULL && s != S_SETTING_SET)
        return usage_error("unexpected argument '%s'", o->value);
    if (s == S_SETTING_SET && o->value == NULL && o->json_source == NULL)
        return usage_error("settings set needs a VALUE or --json");
    if (s == S_SETTING_SET && o->value != NULL && o->json_source != NULL)
        return usage_error("settings set takes a VALUE or --json, not both");
    if (wants_body && o->json_source == NULL)
        return usage_error("%s %s needs --json FILE (or - for stdin)",
                           c->resource, c->verb);
    if (o->json_source != NULL && !wants_body && s != S_SETTING_SET)
        return usage_error("%s %s takes no --json", c->resource, c->verb);
    if (o->parent != NULL
        && (c->parent == NULL || strcmp(c->parent, o->parent_option) != 0))
        return usage_error("%s %s takes no --%s", c->resource, c->verb,
                           o->parent_option);
    if (c->parent_required && o->parent == NULL)
        return usage_error("%s %s needs --%s ID", c->resource, c->verb,
                           c->parent);
    if (s == S_DEVICE_PROFILE && o->region == NULL)
        return usage_error("devices profile needs --region ID");
    if (s != S_DEVICE_PROFILE && o->region != NULL)
        return usage_error("only devices profile takes --region");
    if (o->filter != NULL && s != S_FILTER_LIST && s != S_FILTER_PAGE)
        return usage_error("only sessions and audit-logs take --filter");
    if (o->cursor != NULL && s != S_FILTER_LIST && s != S_FILTER_PAGE)
        return usage_error("only sessions and audit-logs take --cursor");
    if (o->paged && s != S_LIST && s != S_LIST_PARENT && s != S_PAGE
        && s != S_PAGE_PARENT && s != S_FILTER_LIST && s != S_FILTER_PAGE)
        return usage_error("%s %s takes no --page, --size or --cursor",
                           c->resource, c->verb);
    return EXIT_OK;
}

/* Calls the library function of a command, in its own shape. */
static ccx_status call(ccx_client *client, const struct command *c,
                       const struct options *o, const char *body,
                       char **out)
{
    const char *p = o->parent;
    int32_t page = o->page, size = o->size;

    switch (c->shape) {
    case S_LIST:
    case S_OUT:
        return ((ccx_status (*)(ccx_client *, char **))c->fn)(client, out);
    case S_LIST_PARENT:
        return ((ccx_status (*)(ccx_client *, const char *, char **))c->fn)(
            client, p, out);
    case S_PAGE:
        return ((ccx_status (*)(ccx_client *, int32_t, int32_t,
                                char **))c->fn)(client, page, size, out);
    case S_PAGE_PARENT:
        return ((ccx_status (*)(ccx_client *, const char *, int32_t,
                                int32_t, char **))c->fn)(client, p, page,
                                                         size, out);
    case S_CREATE:
    case S_ID_OUT:
    case S_GET:
    case S_SETTING_GET:
        return ((ccx_status (*)(ccx_client *, const char *,
                                char **))c->fn)(
            client, c->shape == S_CREATE ? body : o->id, out);
    case S_CREATE_PARENT:
        return ((ccx_status (*)(ccx_client *, const char *, const char *,
                                char **))c->fn)(client, p, body, out);
    case S_GET_PARENT:
        return ((ccx_status (*)(ccx_client *, const char *, const char *,
                                char **))c->fn)(client, p, o->id, out);
    case S_UPDATE:
    case S_SETTING_SET:
        return ((ccx_status (*)(ccx_client *, const char *, const char *,
                                char **))c->fn)(client, o->id, body, out);
    case S_UPDATE_PARENT:
        return ((ccx_status (*)(ccx_client *, const char *, const char *,
                                const char *, char **))c->fn)(
            client, p, o->id, body, out);
    case S_ID:
        return ((ccx_status (*)(ccx_client *, const char *))c->fn)(client,
                                                                   o->id);
    case S_ID_PARENT:
        return ((ccx_status (*)(ccx_client *, const char *,
                                const char *))c->fn)(client, p, o->id);
    case S_DEVICE_PROFILE:
        return ((ccx_status (*)(ccx_client *, const char *, const char *,
                                const char *, char **))c->fn)(
            client, p, o->id, o->region, out);
    case S_BODY:
        return ((ccx_status (*)(ccx_client *, const char *))c->fn)(client,
                                                                   body);
    case S_NONE:
        return ((ccx_status (*)(ccx_client *))c->fn)(client);
    case S_FILTER_LIST:
        return ((ccx_status (*)(ccx_client *, const char *,
                                char **))c->fn)(client, o->filter, out);
    case S_FILTER_PAGE:
        return ((ccx_status (*)(ccx_client *, const char *, const char *,
                                int32_t, char **))c->fn)(
            client, o->filter, o->cursor, size, out);
    }
    return CCX_ERR_INTERNAL;
}

/* A client from the environment, with progress reports if wanted. */
static ccx_client *open_client(int progress, int *code)
{
    ccx_client *client = ccx_client_new(NULL, NULL, NULL, NULL);
    const char *log = getenv("CCX_LOG");

    if (client == NULL) {
        *code = report_failure(ccx_last_error_code());
        return NULL;
    }
    /* A callback would silence CCX_LOG, which the user asked for. */
    if ((progress || isatty(STDERR_FILENO)) && (log == NULL || *log == 0))
        ccx_client_set_log_callback(client, CCX_LOG_INFO, on_log, NULL);
    return client;
}

static int run_token(int progress)
{
    int code = EXIT_OK;
    ccx_client *client = open_client(progress, &code);
    ccx_status status;
    char when[32];
    time_t expires;
    struct tm utc;

    if (client == NULL)
        return code;
    status = ccx_authenticate(client);
    if (status != CCX_OK) {
        code = report_failure(status);
        ccx_client_free(client);
        return code;
    }
    expires = (time_t)ccx_token_expires_at(client);
    gmtime_r(&expires, &utc);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    printf("{\n  \"expiresAt\": \"%s\",\n  \"expiresInSeconds\": %lld\n}\n",
           when, (long long)(expires - time(NULL)));
    ccx_client_free(client);
    return EXIT_OK;
}

static int run(const struct command *c, struct options *o)
{
    int code = EXIT_OK;
    char *body = NULL;
    char *out = NULL;
    ccx_client *client;
    ccx_status status;

    /* list with --page/--size/--cursor is one page: the page command. */
    if (o->paged && (c->shape == S_LIST || c->shape == S_LIST_PARENT
                     || c->shape == S_FILTER_LIST)) {
        const char *resource = c->resource;
        c = find_command(resource, "page");
        if (c == NULL)
            return usage_error("%s has no pages: use list", resource);
        if (o->size == 0)
            o->size = c->shape == S_FILTER_PAGE ? 100 : 1000;
    }
    if (o->json_source != NULL) {
        body = read_source(o->json_source);
        if (body == NULL)
            return EXIT_USAGE;
    } else if (c->shape == S_SETTING_SET) {
        body = strdup(o->value);
    }
    client = open_client(o->progress, &code);
    if (client == NULL) {
        free(body);
        return code;
    }

    status = call(client, c, o, body, &out);
    if (status != CCX_OK)
        code = report_failure(status);
    else if (out != NULL)
        json_pretty_print(stdout, out);

    ccx_string_free(out);
    ccx_client_free(client);
    free(body);
    if (code == EXIT_OK && fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write the result: %s\n", program,
                strerror(errno));
        return EXIT_OTHER;
    }
    return code;
}

static int wants_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0
           || strcmp(arg, "help") == 0;
}

int main(int argc, char **argv)
{
    struct options options = {0};
    const struct command *c;
    int code;

    if (argc < 2)
        return usage_error("no resource given");
    if (wants_help(argv[1])) {
        general_help(stdout);
        return EXIT_OK;
    }
    /* Hidden, for the tests: pretty-prints stdin, no server involved. */
    if (strcmp(argv[1], "--pretty-stdin") == 0 && argc == 2) {
        char *text = read_source("-");
        if (text == NULL)
            return EXIT_USAGE;
        json_pretty_print(stdout, text);
        free(text);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_OTHER;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ccx %s\n", ccx_version());
        return EXIT_OK;
    }
    if (strcmp(argv[1], "token") == 0) {
        code = parse_options(argc - 2, argv + 2, &options);
        if (code != EXIT_OK)
            return code;
        if (options.id != NULL)
            return usage_error("token takes no arguments");
        return run_token(options.progress);
    }
    if (argc < 3 || wants_help(argv[2])) {
        if (resource_help(argc < 3 ? stderr : stdout, argv[1]))
            return argc < 3 ? EXIT_USAGE : EXIT_OK;
        return usage_error("unknown resource '%s'", argv[1]);
    }
    c = find_command(argv[1], argv[2]);
    if (c == NULL) {
        if (resource_help(stderr, argv[1])) {
            fprintf(stderr, "%s: %s has no verb '%s'\n", program, argv[1],
                    argv[2]);
            return EXIT_USAGE;
        }
        return usage_error("unknown resource '%s'", argv[1]);
    }
    code = parse_options(argc - 3, argv + 3, &options);
    if (code == EXIT_OK)
        code = check_options(c, &options);
    if (code == EXIT_OK)
        code = run(c, &options);
    return code;
}
