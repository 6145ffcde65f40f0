/*
 * Logging through ccx_client_set_log_callback and CCX_LOG, against the
 * emulator: request lines, levels, token fetches, retries and waits, and
 * that no line ever carries the client secret or a credential header.
 *
 *   test_logging            needs an emulator started with --control
 *                           and --no-rate-limit
 *   test_logging ratelimit  needs an emulator with a tight rate limit
 *                           (--rate-limit 2:1:1)
 *   test_logging child      used internally: runs a few calls with the
 *                           CCX_LOG set by the parent
 */
#define _POSIX_C_SOURCE 200809L
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cloudconnexa.h"

#define MAX_LINES 512

struct log_lines {
    int count;
    int level[MAX_LINES];
    char *text[MAX_LINES];
};

/* Every message any test has seen, for the secrets check at the end. */
static struct log_lines all_lines;

static void keep(struct log_lines *lines, int level, const char *message)
{
    if (lines->count < MAX_LINES) {
        lines->level[lines->count] = level;
        lines->text[lines->count] = strdup(message);
        lines->count++;
    }
}

static void on_log(ccx_log_level level, const char *message, void *user_data)
{
    keep((struct log_lines *)user_data, level, message);
    keep(&all_lines, level, message);
}

static void clear(struct log_lines *lines)
{
    for (int i = 0; i < lines->count; i++)
        free(lines->text[i]);
    lines->count = 0;
}

/* The number of lines at `level` (0: any) containing every given part. */
static int count_lines(const struct log_lines *lines, int level,
                       const char *part1, const char *part2)
{
    int found = 0;

    for (int i = 0; i < lines->count; i++) {
        if (level != 0 && lines->level[i] != level)
            continue;
        if (part1 != NULL && strstr(lines->text[i], part1) == NULL)
            continue;
        if (part2 != NULL && strstr(lines->text[i], part2) == NULL)
            continue;
        found++;
    }
    return found;
}

static int max_level_seen(const struct log_lines *lines)
{
    int max = 0;

    for (int i = 0; i < lines->count; i++)
        if (lines->level[i] > max)
            max = lines->level[i];
    return max;
}

static ccx_client *new_client(void)
{
    ccx_client *client = ccx_client_new(NULL, NULL, NULL, NULL);

    if (client == NULL) {
        fprintf(stderr, "ccx_client_new: %s\n", ccx_last_error());
        exit(2);
    }
    return client;
}

/*
 * POSTs a JSON body to the emulator's control endpoint over a plain
 * socket: control paths lie outside /api/v1, where ccx_request cannot go.
 * Returns the HTTP status, or -1.
 */
static int emulator_post(const char *path, const char *json)
{
    const char *url = getenv("CLOUDCONNEXA_API_URL");
    char host[128], port[16], request[2048], reply[512];
    struct addrinfo hints = {0}, *found = NULL;
    const char *authority, *colon;
    int fd, status = -1;
    ssize_t got;

    if (url == NULL || strncmp(url, "http://", 7) != 0)
        return -1;
    authority = url + 7;
    colon = strrchr(authority, ':');
    if (colon == NULL || (size_t)(colon - authority) >= sizeof host)
        return -1;
    memcpy(host, authority, (size_t)(colon - authority));
    host[colon - authority] = '\0';
    snprintf(port, sizeof port, "%.*s", (int)strcspn(colon + 1, "/"),
             colon + 1);

    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &found) != 0)
        return -1;
    fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
        int n = snprintf(request, sizeof request,
                         "POST %s HTTP/1.1\r\nHost: %s:%s\r\n"
                         "Content-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         path, host, port, strlen(json), json);
        if (write(fd, request, (size_t)n) == n) {
            got = read(fd, reply, sizeof reply - 1);
            if (got > 12) {
                reply[got] = '\0';
                status = atoi(reply + 9);
            }
        }
    }
    if (fd >= 0)
        close(fd);
    freeaddrinfo(found);
    return status;
}

static void test_request_lines(void)
{
    struct log_lines lines = {0};
    ccx_client *client = new_client();
    char *json = NULL;

    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_DEBUG, on_log,
                                             &lines),
                 CCX_OK);
    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    ccx_string_free(json);

    /* The first call fetches a token: one info line. */
    CHECK(count_lines(&lines, CCX_LOG_INFO, "token fetched", " ms") == 1);
    CHECK(count_lines(&lines, CCX_LOG_DEBUG, "POST /api/v1/oauth/token",
                      "-> 200") == 1);
    /* Each request: method, path, status and duration. */
    CHECK(count_lines(&lines, CCX_LOG_DEBUG, "GET /api/v1/networks",
                      "-> 200 in ") >= 1);

    clear(&lines);
    CHECK_STATUS(ccx_networks_get(client, "no-such-network", &json),
                 CCX_ERR_NOT_FOUND);
    CHECK(count_lines(&lines, CCX_LOG_DEBUG,
                      "GET /api/v1/networks/no-such-network",
                      "-> 404 in ") == 1);
    /* The token is reused, so no second fetch. */
    CHECK(count_lines(&lines, 0, "token", NULL) == 0);

    clear(&lines);
    ccx_client_free(client);
}

static void test_levels_filter(void)
{
    struct log_lines lines = {0};
    ccx_client *client = new_client();
    char *json = NULL;

    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_INFO, on_log,
                                             &lines),
                 CCX_OK);
    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    ccx_string_free(json);
    CHECK(count_lines(&lines, CCX_LOG_INFO, "token fetched", NULL) == 1);
    CHECK(max_level_seen(&lines) == CCX_LOG_INFO);
    CHECK(count_lines(&lines, CCX_LOG_DEBUG, NULL, NULL) == 0);

    clear(&lines);
    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_WARN, on_log,
                                             &lines),
                 CCX_OK);
    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    ccx_string_free(json);
    CHECK(lines.count == 0);

    /* A level outside 1..4 is refused and keeps the previous setting. */
    CHECK_STATUS(ccx_client_set_log_callback(client, 0, on_log, &lines),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_client_set_log_callback(client, 5, on_log, &lines),
                 CCX_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ccx_client_set_log_callback(NULL, CCX_LOG_DEBUG, on_log,
                                             &lines),
                 CCX_ERR_INVALID_ARGUMENT);

    clear(&lines);
    ccx_client_free(client);
}

static void test_retry_line(void)
{
    struct log_lines lines = {0};
    ccx_client *client = new_client();
    char *json = NULL;

    CHECK(emulator_post("/_emulator/faults",
                        "{\"method\":\"GET\",\"path_prefix\":"
                        "\"/api/v1/networks\",\"times\":1,\"kind\":\"status\","
                        "\"status\":429,\"headers\":{\"Retry-After\":\"1\"},"
                        "\"body\":\"\"}") == 204);
    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_WARN, on_log,
                                             &lines),
                 CCX_OK);
    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    CHECK(json != NULL);
    ccx_string_free(json);

    /* The reason, the attempt and the wait the server asked for. */
    CHECK(count_lines(&lines, CCX_LOG_WARN, "GET /api/v1/networks",
                      "rate limited (429)") == 1);
    CHECK(count_lines(&lines, CCX_LOG_WARN, "retry 1 of 3", "in 1000 ms")
          == 1);

    clear(&lines);
    CHECK(emulator_post("/_emulator/faults",
                        "{\"method\":\"GET\",\"path_prefix\":"
                        "\"/api/v1/hosts\",\"times\":1,\"kind\":\"status\","
                        "\"status\":503,\"body\":\"\"}") == 204);
    CHECK_STATUS(ccx_hosts_list(client, &json), CCX_OK);
    ccx_string_free(json);
    CHECK(count_lines(&lines, CCX_LOG_WARN, "server error (503)",
                      "retry 1 of 3") == 1);

    clear(&lines);
    ccx_client_free(client);
}

static void test_remove_callback(void)
{
    struct log_lines lines = {0};
    ccx_client *client = new_client();
    char *json = NULL;

    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_DEBUG, on_log,
                                             &lines),
                 CCX_OK);
    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    ccx_string_free(json);
    CHECK(lines.count > 0);

    clear(&lines);
    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_DEBUG, NULL,
                                             NULL),
                 CCX_OK);
    CHECK_STATUS(ccx_networks_list(client, &json), CCX_OK);
    ccx_string_free(json);
    CHECK_STATUS(ccx_networks_get(client, "missing", &json),
                 CCX_ERR_NOT_FOUND);
    CHECK(lines.count == 0);

    ccx_client_free(client);
}

/* Runs this program as a child with CCX_LOG set; returns its stderr. */
static char *run_child(const char *self, const char *level)
{
    static char captured[16384];
    size_t used = 0;
    int pipe_fds[2], status = 0;
    pid_t pid;

    if (pipe(pipe_fds) != 0)
        return NULL;
    pid = fork();
    if (pid == 0) {
        close(pipe_fds[0]);
        dup2(pipe_fds[1], STDERR_FILENO);
        setenv("CCX_LOG", level, 1);
        execl(self, self, "child", (char *)NULL);
        _exit(127);
    }
    close(pipe_fds[1]);
    for (;;) {
        ssize_t got = read(pipe_fds[0], captured + used,
                           sizeof captured - 1 - used);
        if (got <= 0)
            break;
        used += (size_t)got;
    }
    close(pipe_fds[0]);
    captured[used] = '\0';
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)
        || WEXITSTATUS(status) != 0)
        return NULL;
    return captured;
}

static void test_environment_variable(const char *self)
{
    const char *secret = getenv("CLOUDCONNEXA_CLIENT_SECRET");
    char *err = run_child(self, "debug");

    CHECK(err != NULL);
    if (err == NULL)
        return;
    keep(&all_lines, 0, err);
    CHECK(strstr(err, "cloudconnexa info: token fetched") != NULL);
    CHECK(strstr(err, "cloudconnexa debug: GET "
                      "/api/v1/networks?page=0&size=1000 -> 200") != NULL);
    CHECK(strstr(err, "GET /api/v1/networks/missing -> 404") != NULL);
    CHECK(secret == NULL || strstr(err, secret) == NULL);

    err = run_child(self, "info");
    CHECK(err != NULL);
    if (err == NULL)
        return;
    keep(&all_lines, 0, err);
    CHECK(strstr(err, "cloudconnexa info: token fetched") != NULL);
    CHECK(strstr(err, "cloudconnexa debug:") == NULL);

    /* Unknown level names keep the library silent. */
    err = run_child(self, "loud");
    CHECK(err != NULL && err[0] == '\0');
}

static int child_calls(void)
{
    ccx_client *client = new_client();
    char *json = NULL;
    int failures = 0;

    failures += ccx_networks_list(client, &json) != CCX_OK;
    ccx_string_free(json);
    failures += ccx_networks_get(client, "missing", &json)
                != CCX_ERR_NOT_FOUND;
    ccx_client_free(client);
    return failures == 0 ? 0 : 1;
}

static void test_rate_limit_wait(void)
{
    struct log_lines lines = {0};
    ccx_client *client = new_client();
    char *json = NULL;

    CHECK_STATUS(ccx_client_set_log_callback(client, CCX_LOG_INFO, on_log,
                                             &lines),
                 CCX_OK);
    /* The burst is 2 (the token request counts): the later calls wait. */
    for (int i = 0; i < 3; i++) {
        CHECK_STATUS(ccx_networks_page(client, 0, 1, &json), CCX_OK);
        ccx_string_free(json);
    }
    CHECK(count_lines(&lines, CCX_LOG_INFO,
                      "GET /api/v1/networks?page=0&size=1: waiting ",
                      " ms for the rate limit") >= 1);
    CHECK(count_lines(&lines, CCX_LOG_INFO, "waiting 0 ms", NULL) == 0);

    clear(&lines);
    ccx_client_free(client);
}

/* Scenario 29: no line carries the secret or a credential header. */
static void test_no_secrets(void)
{
    const char *secret = getenv("CLOUDCONNEXA_CLIENT_SECRET");

    CHECK(all_lines.count > 0);
    CHECK(secret != NULL && strlen(secret) > 0);
    CHECK(count_lines(&all_lines, 0, secret, NULL) == 0);
    CHECK(count_lines(&all_lines, 0, "Bearer ", NULL) == 0);
    CHECK(count_lines(&all_lines, 0, "Basic ", NULL) == 0);
    CHECK(count_lines(&all_lines, 0, "access_token", NULL) == 0);
    CHECK(count_lines(&all_lines, 0, "uthorization", NULL) == 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_calls();

    /* The callbacks are under test; CCX_LOG must not add lines. */
    unsetenv("CCX_LOG");
    if (argc > 1 && strcmp(argv[1], "ratelimit") == 0) {
        test_rate_limit_wait();
    } else {
        test_request_lines();
        test_levels_filter();
        test_retry_line();
        test_remove_callback();
        test_environment_variable(argv[0]);
    }
    test_no_secrets();
    clear(&all_lines);
    return check_summary();
}
