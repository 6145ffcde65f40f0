/*
 * The libcurl baseline for the per-request cost: what a careful C program
 * does without libcloudconnexa. One easy handle (so one keep-alive
 * connection), one token fetched up front, then N sequential GETs of one
 * network with the same bearer header the library sends.
 *
 *   curlbench N      (reads the CLOUDCONNEXA_* variables)
 */
#include <curl/curl.h>

#include "bench_util.h"

struct buffer {
    char *data;
    size_t len;
    size_t cap;
};

static size_t collect(char *chunk, size_t size, size_t count, void *arg)
{
    struct buffer *b = arg;
    size_t n = size * count;

    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *grown = realloc(b->data, cap);

        if (grown == NULL)
            return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, chunk, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static const char *env(const char *name)
{
    const char *value = getenv(name);

    if (value == NULL || *value == '\0') {
        fprintf(stderr, "curlbench: %s is not set\n", name);
        exit(2);
    }
    return value;
}

/* Performs the handle's request into b; returns the HTTP status. */
static long perform(CURL *curl, struct buffer *b)
{
    long status = 0;
    CURLcode rc;

    b->len = 0;
    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        fprintf(stderr, "curlbench: %s\n", curl_easy_strerror(rc));
        return 0;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void fetch_token(CURL *curl, const char *api, struct buffer *b,
                        char *header, size_t cap)
{
    char url[512];
    char token[512];
    char *p, *end;

    snprintf(url, sizeof url, "%s/api/v1/oauth/token", api);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, env("CLOUDCONNEXA_CLIENT_ID"));
    curl_easy_setopt(curl, CURLOPT_PASSWORD,
                     env("CLOUDCONNEXA_CLIENT_SECRET"));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                     "grant_type=client_credentials");
    if (perform(curl, b) != 200 || b->data == NULL) {
        fprintf(stderr, "curlbench: token request failed\n");
        exit(1);
    }
    p = strstr(b->data, "\"access_token\"");
    p = p ? strchr(p + 14, '"') : NULL;
    end = p ? strchr(++p, '"') : NULL;
    if (end == NULL || (size_t)(end - p) >= sizeof token) {
        fprintf(stderr, "curlbench: no access_token in the reply\n");
        exit(1);
    }
    memcpy(token, p, (size_t)(end - p));
    token[end - p] = '\0';
    snprintf(header, cap, "Authorization: Bearer %s", token);

    /* Back to plain GETs without Basic credentials. */
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
    curl_easy_setopt(curl, CURLOPT_USERNAME, NULL);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, NULL);
}

int main(int argc, char **argv)
{
    const char *api = env("CLOUDCONNEXA_API_URL");
    struct buffer b = {0};
    struct curl_slist *headers = NULL;
    char header[600], url[512], id[128];
    long n, failures = 0;
    double wall, cpu;
    CURL *curl;

    if (argc != 2 || (n = strtol(argv[1], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: curlbench N\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "curlbench");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    fetch_token(curl, api, &b, header, sizeof header);
    headers = curl_slist_append(headers, header);
    headers = curl_slist_append(headers, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    snprintf(url, sizeof url, "%s/api/v1/networks?page=0&size=1", api);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    if (perform(curl, &b) != 200 ||
        bench_first_id(b.data, id, sizeof id) != 0) {
        fprintf(stderr, "curlbench: no network in the emulator\n");
        return 1;
    }
    snprintf(url, sizeof url, "%s/api/v1/networks/%s", api, id);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    failures += perform(curl, &b) != 200;

    wall = bench_now();
    cpu = bench_cpu();
    for (long i = 0; i < n; i++)
        failures += perform(curl, &b) != 200;
    cpu = bench_cpu() - cpu;
    wall = bench_now() - wall;

    printf("RESULT curl n=%ld wall_ns_per_req=%.0f cpu_ns_per_req=%.0f "
           "failures=%ld\n",
           n, wall * 1e9 / (double)n, cpu * 1e9 / (double)n, failures);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    free(b.data);
    return failures == 0 ? 0 : 1;
}
