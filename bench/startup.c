/*
 * Start-up cost: dlopen the library, then create and free one client.
 * Client creation does no network I/O, so no server is needed.
 *
 *   startup PATH_TO_LIBCLOUDCONNEXA_SO
 */
#include <dlfcn.h>

#include "bench_util.h"

typedef void *(*client_new_fn)(const char *, const char *, const char *,
                               const char *);
typedef void (*client_free_fn)(void *);

int main(int argc, char **argv)
{
    client_new_fn client_new;
    client_free_fn client_free;
    double t0, t1, t2;
    void *lib, *client;

    if (argc != 2) {
        fprintf(stderr, "usage: startup PATH_TO_SO\n");
        return 2;
    }

    t0 = bench_now();
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    t1 = bench_now();
    if (lib == NULL) {
        fprintf(stderr, "startup: %s\n", dlerror());
        return 1;
    }
    /* POSIX allows converting dlsym's object pointer to a function. */
    *(void **)&client_new = dlsym(lib, "ccx_client_new");
    *(void **)&client_free = dlsym(lib, "ccx_client_free");
    if (client_new == NULL || client_free == NULL) {
        fprintf(stderr, "startup: missing ccx_client_new/free\n");
        return 1;
    }
    client = client_new("http://127.0.0.1:9", "bench-id", "bench-secret",
                        NULL);
    t2 = bench_now();
    if (client == NULL) {
        fprintf(stderr, "startup: ccx_client_new failed\n");
        return 1;
    }

    printf("RESULT startup dlopen_us=%.1f client_new_us=%.1f "
           "total_us=%.1f\n",
           (t1 - t0) * 1e6, (t2 - t1) * 1e6, (t2 - t0) * 1e6);
    client_free(client);
    return 0;
}
