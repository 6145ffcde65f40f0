/*
 * Re-indents JSON text for people to read. Only whitespace between tokens
 * changes: strings, numbers and key order pass through byte for byte, so
 * the API's JSON (large integers, unknown fields) reaches the reader as
 * the API sent it.
 */
#ifndef CCX_JSON_PRETTY_H
#define CCX_JSON_PRETTY_H

#include <stdio.h>

/* Writes `json` to `out`, indented by two spaces a level, and a newline. */
void json_pretty_print(FILE *out, const char *json);

#endif
