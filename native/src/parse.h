/*
 * Parsers for the cgroup files the sampler reads: text in, fields out. They mirror
 * server/monitor/sampler/fileParsers.ts (built on server/cgroup/parse.ts), rule for rule, so
 * the addon and the TypeScript sampler report the same values; the fixture tests check it.
 */
#ifndef CGDASH_PARSE_H
#define CGDASH_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"

typedef struct {
  uint64_t v[FIELD_COUNT];
  uint32_t mask; /* FIELD_BIT of each field found */
} cgd_values;

/* Call once before parsing (reads USER_HZ, sets up the C locale for numbers). 0 on success. */
int cgd_parse_init(void);

/* USER_HZ as this process sees it (sysconf(_SC_CLK_TCK)). */
long cgd_user_hz(void);

/*
 * Parse one file of `kind`. Returns 0 with `out` filled (out->mask says which fields were
 * present), or -1 when the text is not what the kernel writes, with a reason in `err`.
 */
int cgd_parse(enum cgd_kind kind, const char *text, size_t len, cgd_values *out, char *err, size_t errlen);

#endif
