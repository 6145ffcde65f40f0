/*
 * Benchmark harness for libcloudconnexa. Talks to the emulator named by
 * the CLOUDCONNEXA_* variables and prints one result line per run, which
 * bench/run.py parses:
 *
 *   ccxbench get N                 N sequential ccx_networks_get
 *   ccxbench threads T N           T threads, one client, N gets each
 *   ccxbench refresh T MS          T threads calling for MS milliseconds
 *   ccxbench list PAGE_SIZE        ccx_users_list with that page size
 *   ccxbench mem                   ccx_users_list, then peak RSS
 *   ccxbench baseline              only ccx_client_new, then peak RSS
 */
#include <pthread.h>
#include <stdatomic.h>

#include "bench_util.h"
#include "cloudconnexa.h"

static ccx_client *client;
static char network_id[128];

static void die(const char *what)
{
    fprintf(stderr, "ccxbench: %s: %s (HTTP %d)\n", what, ccx_last_error(),
            (int)ccx_last_http_status());
    exit(1);
}

static void connect_client(void)
{
    client = ccx_client_new(NULL, NULL, NULL, NULL);
    if (client == NULL)
        die("ccx_client_new");
    if (ccx_authenticate(client) != CCX_OK)
        die("ccx_authenticate");
}

/* The id of some network, and one get so the connection is open. */
static void pick_network(void)
{
    char *json = NULL;

    if (ccx_networks_page(client, 0, 1, &json) != CCX_OK)
        die("ccx_networks_page");
    if (bench_first_id(json, network_id, sizeof network_id) != 0) {
        fprintf(stderr, "ccxbench: no network in the emulator\n");
        exit(1);
    }
    ccx_string_free(json);
    if (ccx_networks_get(client, network_id, &json) != CCX_OK)
        die("ccx_networks_get");
    ccx_string_free(json);
}

static int get_once(void)
{
    char *json = NULL;
    ccx_status status = ccx_networks_get(client, network_id, &json);

    ccx_string_free(json);
    return status == CCX_OK ? 0 : 1;
}

static int run_get(long n)
{
    long failures = 0;
    double wall, cpu;

    connect_client();
    pick_network();

    wall = bench_now();
    cpu = bench_cpu();
    for (long i = 0; i < n; i++)
        failures += get_once();
    cpu = bench_cpu() - cpu;
    wall = bench_now() - wall;

    printf("RESULT get n=%ld wall_ns_per_req=%.0f cpu_ns_per_req=%.0f "
           "failures=%ld\n",
           n, wall * 1e9 / (double)n, cpu * 1e9 / (double)n, failures);
    ccx_client_free(client);
    return failures == 0 ? 0 : 1;
}

struct worker {
    pthread_t thread;
    long n;
    double deadline;
    long calls;
    long failures;
};

static void *count_gets(void *arg)
{
    struct worker *w = arg;

    for (long i = 0; i < w->n; i++)
        w->failures += get_once();
    w->calls = w->n;
    return NULL;
}

static atomic_int reported;

static void *gets_until(void *arg)
{
    struct worker *w = arg;

    while (bench_now() < w->deadline) {
        int failed = get_once();

        /* One message is enough to say what went wrong. */
        if (failed && atomic_exchange(&reported, 1) == 0)
            fprintf(stderr, "ccxbench: refresh: %s\n", ccx_last_error());
        w->failures += failed;
        w->calls++;
    }
    return NULL;
}

/* Runs T workers; returns the wall time and sums calls and failures. */
static double run_workers(long t, struct worker *workers,
                          void *(*body)(void *), long *calls, long *failures)
{
    double wall = bench_now();

    for (long i = 0; i < t; i++)
        if (pthread_create(&workers[i].thread, NULL, body, &workers[i])) {
            fprintf(stderr, "ccxbench: cannot start thread %ld\n", i);
            exit(1);
        }
    for (long i = 0; i < t; i++)
        pthread_join(workers[i].thread, NULL);
    wall = bench_now() - wall;

    *calls = 0;
    *failures = 0;
    for (long i = 0; i < t; i++) {
        *calls += workers[i].calls;
        *failures += workers[i].failures;
    }
    return wall;
}

static int run_threads(long t, long n)
{
    struct worker *workers = calloc((size_t)t, sizeof *workers);
    long calls, failures;
    double wall;

    connect_client();
    pick_network();
    for (long i = 0; i < t; i++)
        workers[i].n = n;

    wall = run_workers(t, workers, count_gets, &calls, &failures);

    printf("RESULT threads t=%ld calls=%ld wall_s=%.4f req_per_s=%.1f "
           "failures=%ld\n",
           t, calls, wall, (double)calls / wall, failures);
    free(workers);
    ccx_client_free(client);
    return failures == 0 ? 0 : 1;
}

static int run_refresh(long t, double seconds)
{
    struct worker *workers = calloc((size_t)t, sizeof *workers);
    long calls, failures;
    double wall, deadline;

    connect_client();
    pick_network();
    deadline = bench_now() + seconds;
    for (long i = 0; i < t; i++)
        workers[i].deadline = deadline;

    wall = run_workers(t, workers, gets_until, &calls, &failures);

    printf("RESULT refresh t=%ld calls=%ld wall_s=%.4f failures=%ld\n", t,
           calls, wall, failures);
    free(workers);
    ccx_client_free(client);
    return 0;
}

static int run_list(long page_size)
{
    char *json = NULL;
    ccx_status status;
    double wall;

    client = ccx_client_new(NULL, NULL, NULL, NULL);
    if (client == NULL)
        die("ccx_client_new");
    if (ccx_client_set_page_size(client, (uint32_t)page_size) != CCX_OK)
        die("ccx_client_set_page_size");

    /* Timed from the first request: the token fetch counts, as it does
     * against the rate limit. */
    wall = bench_now();
    status = ccx_users_list(client, &json);
    wall = bench_now() - wall;

    if (status != CCX_OK)
        fprintf(stderr, "ccxbench: list: %s\n", ccx_last_error());
    printf("RESULT list page_size=%ld status=%d items=%ld bytes=%zu "
           "wall_s=%.4f\n",
           page_size, (int)status, json ? bench_count_items(json) : 0L,
           json ? strlen(json) : 0, wall);
    ccx_string_free(json);
    ccx_client_free(client);
    return status == CCX_OK ? 0 : 1;
}

static int run_mem(void)
{
    char *json = NULL;
    size_t bytes;

    client = ccx_client_new(NULL, NULL, NULL, NULL);
    if (client == NULL)
        die("ccx_client_new");
    if (ccx_users_list(client, &json) != CCX_OK)
        die("ccx_users_list");
    bytes = strlen(json);

    printf("RESULT mem bytes=%zu items=%ld maxrss_kb=%ld\n", bytes,
           bench_count_items(json), bench_maxrss_kb());
    ccx_string_free(json);
    ccx_client_free(client);
    return 0;
}

static int run_baseline(void)
{
    client = ccx_client_new(NULL, NULL, NULL, NULL);
    if (client == NULL)
        die("ccx_client_new");

    printf("RESULT baseline maxrss_kb=%ld\n", bench_maxrss_kb());
    ccx_client_free(client);
    return 0;
}

static long number(const char *text)
{
    char *end;
    long value = strtol(text, &end, 10);

    if (*end != '\0' || value <= 0) {
        fprintf(stderr, "ccxbench: not a positive number: %s\n", text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";

    if (strcmp(cmd, "get") == 0 && argc == 3)
        return run_get(number(argv[2]));
    if (strcmp(cmd, "threads") == 0 && argc == 4)
        return run_threads(number(argv[2]), number(argv[3]));
    if (strcmp(cmd, "refresh") == 0 && argc == 4)
        return run_refresh(number(argv[2]), (double)number(argv[3]) / 1000);
    if (strcmp(cmd, "list") == 0 && argc == 3)
        return run_list(number(argv[2]));
    if (strcmp(cmd, "mem") == 0 && argc == 2)
        return run_mem();
    if (strcmp(cmd, "baseline") == 0 && argc == 2)
        return run_baseline();
    fprintf(stderr, "usage: ccxbench get N | threads T N | refresh T MS | "
                    "list PAGE_SIZE | mem | baseline\n");
    return 2;
}
