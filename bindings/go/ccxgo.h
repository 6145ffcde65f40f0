/*
 * C side of the Go binding: wrappers that call a libcloudconnexa function
 * and copy the thread's last error before returning to Go.
 */
#ifndef CCXGO_H
#define CCXGO_H

#include <stdlib.h>
#include <string.h>

#include "cloudconnexa.h"

/*
 * The library keeps the last error per OS thread, and a goroutine may move
 * to another OS thread between two cgo calls. So each wrapper below reads
 * the error inside the same C call that failed and copies it here.
 */
typedef struct {
	ccx_status status;
	int32_t http_status;
	char *message;
	char *body;
} ccxgo_error;

/*
 * Arguments and results of one call, in Go memory that holds no Go
 * pointers: strings are C copies, out is the library's allocation.
 */
typedef struct {
	const char *s[4];
	int32_t i[2];
	uint32_t u;
	char *out;
	ccxgo_error err;
} ccxgo_call;

static inline void ccxgo_capture(ccx_status status, ccxgo_error *err)
{
	if (status == CCX_OK)
		return;
	err->status = status;
	err->http_status = ccx_last_http_status();
	err->message = strdup(ccx_last_error());
	err->body = strdup(ccx_last_error_body());
}

static inline ccx_client *ccxgo_client_new(ccxgo_call *k)
{
	ccx_client *client = ccx_client_new(k->s[0], k->s[1], k->s[2],
					    k->s[3]);

	/*
	 * The failing status is read here, in the same C call: a second cgo
	 * call for it could run on another OS thread and find CCX_OK there.
	 */
	if (client == NULL)
		ccxgo_capture(ccx_last_error_code(), &k->err);
	return client;
}

/*
 * One wrapper per parameter shape of the C functions: s is a string, i an
 * int32_t, u a uint32_t, o the JSON out-parameter.
 */
#define CCXGO_SHAPE(shape, params, args)                                    \
    typedef ccx_status (*ccxgo_fn_##shape) params;                          \
    static inline ccx_status ccxgo_##shape(ccxgo_fn_##shape fn,             \
                                           ccx_client *c, ccxgo_call *k)    \
    {                                                                       \
        ccx_status status = fn args;                                        \
        ccxgo_capture(status, &k->err);                                     \
        return status;                                                      \
    }

CCXGO_SHAPE(none, (ccx_client *), (c))
CCXGO_SHAPE(u, (ccx_client *, uint32_t), (c, k->u))
CCXGO_SHAPE(o, (ccx_client *, char **), (c, &k->out))
CCXGO_SHAPE(iio, (ccx_client *, int32_t, int32_t, char **),
	    (c, k->i[0], k->i[1], &k->out))
CCXGO_SHAPE(s, (ccx_client *, const char *), (c, k->s[0]))
CCXGO_SHAPE(so, (ccx_client *, const char *, char **),
	    (c, k->s[0], &k->out))
CCXGO_SHAPE(ss, (ccx_client *, const char *, const char *),
	    (c, k->s[0], k->s[1]))
CCXGO_SHAPE(siio, (ccx_client *, const char *, int32_t, int32_t, char **),
	    (c, k->s[0], k->i[0], k->i[1], &k->out))
CCXGO_SHAPE(ssio,
	    (ccx_client *, const char *, const char *, int32_t, char **),
	    (c, k->s[0], k->s[1], k->i[0], &k->out))
CCXGO_SHAPE(sso, (ccx_client *, const char *, const char *, char **),
	    (c, k->s[0], k->s[1], &k->out))
CCXGO_SHAPE(ssso,
	    (ccx_client *, const char *, const char *, const char *, char **),
	    (c, k->s[0], k->s[1], k->s[2], &k->out))
#endif
