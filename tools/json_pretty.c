/*
 * A re-indenter, not a parser: it tracks only whether it is inside a
 * string and how deep the brackets go. Input that is not JSON comes out
 * with its tokens intact, just oddly indented, which is the right failure
 * for a tool that must never alter what the API said.
 */
#include "json_pretty.h"

#include <ctype.h>

/*
 * Indentation stops growing at this depth: anything nested deeper is
 * written compactly on its container's line. Without the cap a reply
 * nested n levels deep would print O(n^2) spaces (a 200000-deep array
 * took minutes); with it each byte of input gives at most
 * 1 + 2 * MAX_INDENT bytes of output.
 */
enum { MAX_INDENT = 40 };

static const char spaces[2 * MAX_INDENT + 1] =
    "                                                                      "
    "          ";

static void newline(FILE *out, long depth)
{
    fputc('\n', out);
    fwrite(spaces, 1, 2 * (size_t)depth, out);
}

/* The next character that is not whitespace, or '\0'. */
static char peek(const char *p)
{
    while (*p != '\0' && isspace((unsigned char)*p))
        p++;
    return *p;
}

void json_pretty_print(FILE *out, const char *json)
{
    long depth = 0; /* brackets open now; counted, never rescanned */
    int in_string = 0;

    for (const char *p = json; *p != '\0'; p++) {
        char c = *p;

        if (in_string) {
            fputc(c, out);
            if (c == '\\' && p[1] != '\0')
                fputc(*++p, out);
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            fputc(c, out);
            break;
        case '{':
        case '[':
            fputc(c, out);
            /* Empty containers stay on one line: {} and []. */
            if (peek(p + 1) == (c == '{' ? '}' : ']')) {
                while (*++p != (c == '{' ? '}' : ']'))
                    ;
                fputc(*p, out);
            } else if (++depth <= MAX_INDENT) {
                newline(out, depth);
            }
            break;
        case '}':
        case ']':
            /* Only a container whose inside was indented closes on a
             * line of its own. */
            if (depth <= MAX_INDENT)
                newline(out, depth > 0 ? depth - 1 : 0);
            if (depth > 0)
                depth--;
            fputc(c, out);
            break;
        case ',':
            fputc(c, out);
            if (depth <= MAX_INDENT)
                newline(out, depth);
            break;
        case ':':
            fputs(depth <= MAX_INDENT ? ": " : ":", out);
            break;
        default:
            if (!isspace((unsigned char)c))
                fputc(c, out);
        }
    }
    fputc('\n', out);
}
