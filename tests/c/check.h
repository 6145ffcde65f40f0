/*
 * A minimal test harness for the C tests: CHECK records a pass or a
 * failure with its line, and check_summary() prints "N passed, N failed".
 */
#ifndef CCX_TEST_CHECK_H
#define CCX_TEST_CHECK_H

#include <stdio.h>

static int check_passed;
static int check_failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed++;                                                \
        } else {                                                           \
            check_failed++;                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
        }                                                                  \
    } while (0)

/* Checks a status and prints the library's message when it differs. */
#define CHECK_STATUS(expr, expected)                                       \
    do {                                                                   \
        ccx_status check_got_ = (expr);                                    \
        if (check_got_ == (expected)) {                                    \
            check_passed++;                                                \
        } else {                                                           \
            check_failed++;                                                \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s: %s\n", \
                    __FILE__, __LINE__, #expr, (int)check_got_,            \
                    ccx_status_str(check_got_), #expected,                 \
                    ccx_last_error());                                     \
        }                                                                  \
    } while (0)

static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif
