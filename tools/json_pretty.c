/*
 * A re-indenter, not a parser: it tracks only whether it is inside a
 * string and how deep the brackets go. Input that is not JSON comes out
 * with its tokens intact, just oddly indented, which is the right failure
 * for a tool that must never alter what the API said.
 */
#include "json_pretty.h"

#include <ctype.h>

static void newline(FILE *out, int depth)
{
    fputc('\n', out);
    for (int i = 0; i < depth; i++)
        fputs("  ", out);
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
    int depth = 0;
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
            } else {
                newline(out, ++depth);
            }
            break;
        case '}':
        case ']':
            newline(out, depth > 0 ? --depth : 0);
            fputc(c, out);
            break;
        case ',':
            fputc(c, out);
            newline(out, depth);
            break;
        case ':':
            fputs(": ", out);
            break;
        default:
            if (!isspace((unsigned char)c))
                fputc(c, out);
        }
    }
    fputc('\n', out);
}
