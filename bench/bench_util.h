/*
 * Small helpers shared by the benchmark harnesses: clocks, CPU time and
 * picking an id out of a page of JSON without a JSON library, so that
 * both harnesses do the same (negligible) work around their requests.
 */
#ifndef CCX_BENCH_UTIL_H
#define CCX_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User plus system CPU seconds of the whole process, every thread. */
static inline double bench_cpu(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/*
 * Peak resident set size in KiB: VmHWM of this process image. Not
 * getrusage's ru_maxrss, which Linux carries across execve, so that a
 * child of a large parent (the Python driver) reports the parent's peak.
 */
static inline long bench_maxrss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/*
 * Copies the value of the first "id" string in json into out. The page
 * envelope's first "id" is the first item's. Returns 0 on success.
 */
static inline int bench_first_id(const char *json, char *out, size_t cap)
{
    const char *p = strstr(json, "\"id\"");
    const char *end;

    if (p == NULL)
        return -1;
    p = strchr(p + 4, '"');
    if (p == NULL)
        return -1;
    end = strchr(++p, '"');
    if (end == NULL || (size_t)(end - p) >= cap)
        return -1;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 0;
}

/* Counts the objects directly inside a top-level JSON array. */
static inline long bench_count_items(const char *json)
{
    long items = 0;
    int depth = 0;
    int in_string = 0;

    for (const char *p = json; *p != '\0'; p++) {
        if (in_string) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            else if (*p == '"')
                in_string = 0;
            continue;
        }
        if (*p == '"')
            in_string = 1;
        else if (*p == '{' || *p == '[') {
            if (*p == '{' && depth == 1)
                items++;
            depth++;
        } else if (*p == '}' || *p == ']')
            depth--;
    }
    return items;
}

#endif
