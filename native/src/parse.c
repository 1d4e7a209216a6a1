/*
 * Parsers for the sampled cgroup files. Each follows the TypeScript parser it mirrors
 * (server/cgroup/parse.ts and server/monitor/sampler/fileParsers.ts):
 *
 *   - the whole file is validated, not only the keys we take: a file the TypeScript side
 *     rejects is rejected here too, and then it gives nothing at all;
 *   - lines are split on '\n', trimmed, empty ones skipped; tokens are split on whitespace;
 *   - a value a field takes must be a non-negative integer below 2^64;
 *   - per-device sums wrap modulo 2^64.
 *
 * Known, deliberate differences (input no kernel writes): a device listed twice in io.stat
 * or a blkio file is summed twice here (the TypeScript maps keep the last line), and PSI
 * averages written as hex/octal/binary literals are rejected here (JavaScript's Number()
 * takes them).
 */
#define _GNU_SOURCE
#include "parse.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const cgd_field_names[FIELD_COUNT] = {
#define CGD_FIELD_NAME(id, name) name,
    CGDASH_FIELDS(CGD_FIELD_NAME)
#undef CGD_FIELD_NAME
};

const char *const cgd_kind_names[KIND_COUNT] = {
#define CGD_KIND_NAME(id, name) name,
    CGDASH_KINDS(CGD_KIND_NAME)
#undef CGD_KIND_NAME
};

static long user_hz = 100;
static locale_t c_locale = (locale_t)0;

int cgd_parse_init(void) {
  long hz = sysconf(_SC_CLK_TCK);
  if (hz > 0) user_hz = hz;
  if (c_locale == (locale_t)0) c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  return c_locale == (locale_t)0 ? -1 : 0;
}

long cgd_user_hz(void) { return user_hz; }

/* ---- text helpers ------------------------------------------------------------------------ */

typedef struct {
  const char *p;
  const char *end;
} span;

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* JavaScript's \s and String.prototype.trim over the ASCII a kernel writes. */
static const unsigned char ws_table[256] = {['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1};
static inline int is_ws(char c) { return ws_table[(unsigned char)c]; }
static inline int is_digit(char c) { return c >= '0' && c <= '9'; }

static span trim(span s) {
  while (s.p < s.end && is_ws(*s.p)) s.p++;
  while (s.end > s.p && is_ws(s.end[-1])) s.end--;
  return s;
}

/* Next non-empty trimmed line of *rest; 0 at the end. */
static int next_line(span *rest, span *line) {
  while (rest->p < rest->end) {
    const char *nl = memchr(rest->p, '\n', (size_t)(rest->end - rest->p));
    const char *stop = nl ? nl : rest->end;
    span l = trim((span){rest->p, stop});
    rest->p = nl ? nl + 1 : rest->end;
    if (l.p < l.end) {
      *line = l;
      return 1;
    }
  }
  return 0;
}

/* Next whitespace-separated token of *rest; 0 at the end. */
static int next_token(span *rest, span *tok) {
  while (rest->p < rest->end && is_ws(*rest->p)) rest->p++;
  if (rest->p >= rest->end) return 0;
  const char *start = rest->p;
  while (rest->p < rest->end && !is_ws(*rest->p)) rest->p++;
  *tok = (span){start, rest->p};
  return 1;
}

static inline size_t span_len(span s) { return (size_t)(s.end - s.p); }

static int span_eq(span s, const char *word) {
  size_t n = strlen(word);
  return span_len(s) == n && memcmp(s.p, word, n) == 0;
}

/* /^\d+$/ */
static int all_digits(span s) {
  if (s.p >= s.end) return 0;
  for (const char *c = s.p; c < s.end; c++)
    if (!is_digit(*c)) return 0;
  return 1;
}

/* /^-?\d+$/ */
static int signed_digits(span s) {
  if (s.p < s.end && *s.p == '-') s.p++;
  return all_digits(s);
}

enum { NUM_OK = 0, NUM_NEGATIVE = 1, NUM_TOO_BIG = 2 };

/* Value of a token already known to match /^-?\d+$/: it must be a non-negative u64. */
static int to_u64(span s, uint64_t *out) {
  int negative = 0;
  if (*s.p == '-') {
    negative = 1;
    s.p++;
  }
  uint64_t v = 0;
  for (const char *c = s.p; c < s.end; c++) {
    unsigned d = (unsigned)(*c - '0');
    if (v > (UINT64_MAX - d) / 10) return NUM_TOO_BIG;
    v = v * 10 + d;
  }
  if (negative && v != 0) return NUM_NEGATIVE; /* "-0" is 0, as BigInt("-0") is */
  *out = v;
  return NUM_OK;
}

static int range_error(int why, const char *file, span key, char *err, size_t errlen) {
  return fail(err, errlen, "cannot parse %s: %.*s is %s", file, (int)span_len(key), key.p,
              why == NUM_NEGATIVE ? "negative" : "not a 64-bit unsigned value");
}

/* ---- single integer: pids.current, memory.current, cpuacct.usage ... ------------------- */

static int parse_single(const char *file, const char *text, size_t len, uint64_t *out, char *err, size_t errlen) {
  span t = trim((span){text, text + len});
  if (!all_digits(t)) return fail(err, errlen, "cannot parse %s: expected one unsigned integer", file);
  int why = to_u64(t, out);
  if (why != NUM_OK) return range_error(why, file, (span){"value", "value" + 5}, err, errlen);
  return 0;
}

/* ---- flat keyed: "key value" per line --------------------------------------------------- */

#define MAX_KEYS 8

/* The keys a kind takes from a flat keyed file; values are converted only when taken. */
typedef struct {
  const char *keys[MAX_KEYS];
  size_t nkeys;
  span value[MAX_KEYS];
  uint32_t found; /* bit per key */
} flat_keys;

static int parse_flat(const char *file, const char *text, size_t len, flat_keys *k, char *err, size_t errlen) {
  span rest = {text, text + len}, line;
  size_t klen[MAX_KEYS];
  for (size_t i = 0; i < k->nkeys; i++) klen[i] = strlen(k->keys[i]);
  k->found = 0;
  while (next_line(&rest, &line)) {
    span toks = line, key, value, extra;
    if (!next_token(&toks, &key) || !next_token(&toks, &value) || next_token(&toks, &extra) || !signed_digits(value)) {
      return fail(err, errlen, "cannot parse %s: expected \"key value\" lines (got \"%.*s\")", file, (int)span_len(line), line.p);
    }
    size_t n = span_len(key);
    for (size_t i = 0; i < k->nkeys; i++) {
      if (n != klen[i] || memcmp(key.p, k->keys[i], n) != 0) continue;
      k->value[i] = value; /* a repeated key: the last one wins, as in a Map */
      k->found |= 1u << i;
    }
  }
  return 0;
}

static inline int has_key(const flat_keys *k, size_t i) { return (k->found >> i) & 1u; }

/* The value of key i, which must be present: a non-negative u64 or a parse error. */
static int take(const flat_keys *k, size_t i, uint64_t *out, const char *file, char *err, size_t errlen) {
  const char *key = k->keys[i];
  int why = to_u64(k->value[i], out);
  return why == NUM_OK ? 0 : range_error(why, file, (span){key, key + strlen(key)}, err, errlen);
}

static void put(cgd_values *out, enum cgd_field f, uint64_t v) {
  out->v[f] = v;
  out->mask |= FIELD_BIT(f);
}

/* Field f from key i if present (divided by `divisor`); 0 on success or absence. */
static int put_key(cgd_values *out, enum cgd_field f, const flat_keys *k, size_t i, uint64_t divisor, const char *file, char *err,
                   size_t errlen) {
  uint64_t v;
  if (!has_key(k, i)) return 0;
  if (take(k, i, &v, file, err, errlen)) return -1;
  put(out, f, v / divisor);
  return 0;
}

/* The first of keys i, j that is present (total_rss before rss). */
static int put_first(cgd_values *out, enum cgd_field f, const flat_keys *k, size_t i, size_t j, const char *file, char *err,
                     size_t errlen) {
  return put_key(out, f, k, has_key(k, i) ? i : j, 1, file, err, errlen);
}

/* USER_HZ ticks → µs, floor(ticks * 1e6 / USER_HZ) as server/cgroup/v1/cpuacct.ts does it. */
static int ticks_to_usec(uint64_t ticks, uint64_t *out) {
  unsigned __int128 us = (unsigned __int128)ticks * 1000000u / (unsigned __int128)user_hz;
  if (us > UINT64_MAX) return NUM_TOO_BIG;
  *out = (uint64_t)us;
  return NUM_OK;
}

/* ---- PSI: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" ----------------------------- */

/*
 * Whether Number(text) is finite in JavaScript, for the decimal literals the kernel prints
 * ("" is 0 there, hence accepted).
 */
static int js_finite_number(span s) {
  if (s.p == s.end) return 1;
  const char *c = s.p;
  if (*c == '+' || *c == '-') c++;
  size_t int_digits = 0, frac_digits = 0;
  while (c < s.end && is_digit(*c)) c++, int_digits++;
  if (c < s.end && *c == '.') {
    c++;
    while (c < s.end && is_digit(*c)) c++, frac_digits++;
  }
  if (int_digits + frac_digits == 0) return 0;
  int exponent = 0;
  if (c < s.end && (*c == 'e' || *c == 'E')) {
    exponent = 1;
    c++;
    if (c < s.end && (*c == '+' || *c == '-')) c++;
    if (c >= s.end || !is_digit(*c)) return 0;
    while (c < s.end && is_digit(*c)) c++;
  }
  if (c != s.end) return 0;
  /* A plain decimal without an exponent is finite unless it has over 300 digits. */
  if (!exponent && int_digits < 300) return 1;
  char small[64];
  size_t n = span_len(s);
  char *buf = n < sizeof small ? small : malloc(n + 1);
  if (!buf) return 0;
  memcpy(buf, s.p, n);
  buf[n] = '\0';
  int finite = isfinite(strtod_l(buf, NULL, c_locale));
  if (buf != small) free(buf);
  return finite;
}

typedef struct {
  int some_seen, full_seen;
  span some_total, full_total;
} psi_file;

static int parse_psi(const char *file, const char *text, size_t len, psi_file *psi, char *err, size_t errlen) {
  span rest = {text, text + len}, line;
  memset(psi, 0, sizeof *psi);
  while (next_line(&rest, &line)) {
    span toks = line, kind, tok;
    next_token(&toks, &kind);
    int is_some = span_eq(kind, "some");
    if (!is_some && !span_eq(kind, "full")) {
      return fail(err, errlen, "cannot parse %s: expected \"some\"/\"full\" lines (got \"%.*s\")", file, (int)span_len(line), line.p);
    }
    static const char *const avgs[3] = {"avg10", "avg60", "avg300"};
    span avg[3], total;
    int have_avg[3] = {0, 0, 0}, have_total = 0;
    while (next_token(&toks, &tok)) {
      const char *eq = memchr(tok.p, '=', span_len(tok));
      if (!eq || eq == tok.p) continue; /* not "key=value": ignored, as in parse.ts */
      span key = {tok.p, eq}, value = {eq + 1, tok.end};
      for (int i = 0; i < 3; i++)
        if (span_eq(key, avgs[i])) avg[i] = value, have_avg[i] = 1;
      if (span_eq(key, "total")) total = value, have_total = 1;
    }
    for (int i = 0; i < 3; i++) {
      if (!have_avg[i] || !js_finite_number(avg[i])) {
        return fail(err, errlen, "cannot parse %s: missing %s (got \"%.*s\")", file, avgs[i], (int)span_len(line), line.p);
      }
    }
    if (!have_total || !all_digits(total)) {
      return fail(err, errlen, "cannot parse %s: missing total (got \"%.*s\")", file, (int)span_len(line), line.p);
    }
    if (is_some)
      psi->some_seen = 1, psi->some_total = total;
    else
      psi->full_seen = 1, psi->full_total = total;
  }
  if (!psi->some_seen) return fail(err, errlen, "cannot parse %s: no \"some\" line", file);
  return 0;
}

static int put_total(cgd_values *out, enum cgd_field f, span total, const char *file, const char *what, char *err, size_t errlen) {
  uint64_t v;
  int why = to_u64(total, &v);
  if (why != NUM_OK) return range_error(why, file, (span){what, what + strlen(what)}, err, errlen);
  put(out, f, v);
  return 0;
}

/* ---- v1 blkio: "8:0 Read 4096" per device and operation, then "Total N" ----------------- */

/* /^\d{1,10}:\d{1,10}$/ */
static int is_device_number(span s) {
  const char *colon = memchr(s.p, ':', span_len(s));
  if (!colon) return 0;
  span maj = {s.p, colon}, min = {colon + 1, s.end};
  return all_digits(maj) && all_digits(min) && span_len(maj) <= 10 && span_len(min) <= 10;
}

static int parse_blkio(const char *file, const char *text, size_t len, uint64_t *read_sum, uint64_t *write_sum, char *err,
                       size_t errlen) {
  span rest = {text, text + len}, line;
  *read_sum = *write_sum = 0;
  while (next_line(&rest, &line)) {
    span toks = line, t[3], extra;
    int n = 0;
    while (n < 3 && next_token(&toks, &t[n])) n++;
    int more = next_token(&toks, &extra);
    if (n == 2 && !more && span_eq(t[0], "Total") && all_digits(t[1])) continue;
    if (n != 3 || more || !is_device_number(t[0]) || !all_digits(t[2])) {
      return fail(err, errlen, "cannot parse %s: expected \"MAJ:MIN Operation value\" lines (got \"%.*s\")", file, (int)span_len(line),
                  line.p);
    }
    int is_read = span_eq(t[1], "Read"), is_write = span_eq(t[1], "Write");
    if (!is_read && !is_write) continue;
    uint64_t v;
    int why = to_u64(t[2], &v);
    if (why != NUM_OK) return range_error(why, file, t[1], err, errlen);
    if (is_read)
      *read_sum += v; /* wraps modulo 2^64, as the TypeScript sum does */
    else
      *write_sum += v;
  }
  return 0;
}

/* ---- v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" ------------------- */

static int parse_io_stat(const char *file, const char *text, size_t len, uint64_t sums[4], char *err, size_t errlen) {
  static const char *const keys[4] = {"rbytes", "wbytes", "rios", "wios"};
  span rest = {text, text + len}, line;
  memset(sums, 0, 4 * sizeof sums[0]);
  while (next_line(&rest, &line)) {
    span toks = line, device, pair;
    next_token(&toks, &device);
    span value[4];
    int have[4] = {0, 0, 0, 0};
    while (next_token(&toks, &pair)) {
      const char *eq = memchr(pair.p, '=', span_len(pair));
      if (!eq || eq == pair.p) {
        return fail(err, errlen, "cannot parse %s: expected \"KEY sub=value ...\" lines (got \"%.*s\")", file, (int)span_len(line), line.p);
      }
      span key = {pair.p, eq};
      for (int i = 0; i < 4; i++)
        if (span_eq(key, keys[i])) value[i] = (span){eq + 1, pair.end}, have[i] = 1;
    }
    for (int i = 0; i < 4; i++) {
      if (!have[i]) continue;
      uint64_t v;
      if (!all_digits(value[i])) return fail(err, errlen, "cannot parse io.stat: expected one unsigned integer (%s)", keys[i]);
      int why = to_u64(value[i], &v);
      if (why != NUM_OK) return range_error(why, file, (span){keys[i], keys[i] + strlen(keys[i])}, err, errlen);
      sums[i] += v;
    }
  }
  return 0;
}

/* ---- per kind ---------------------------------------------------------------------------- */

int cgd_parse(enum cgd_kind kind, const char *text, size_t len, cgd_values *out, char *err, size_t errlen) {
  const char *file = cgd_kind_names[kind] + (kind == K_PIDS_CURRENT ? 0 : 3); /* "v1.cpu.stat" → "cpu.stat" */
  out->mask = 0;
  uint64_t v;
  switch (kind) {
    case K_V1_CPUACCT_USAGE:
      if (parse_single(file, text, len, &v, err, errlen)) return -1;
      put(out, F_CPU_USAGE_USEC, v / 1000); /* ns → µs */
      return 0;

    case K_V1_CPUACCT_STAT: {
      flat_keys k = {.keys = {"user", "system"}, .nkeys = 2};
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      static const enum cgd_field fields[2] = {F_CPU_USER_USEC, F_CPU_SYSTEM_USEC};
      for (size_t i = 0; i < 2; i++) {
        uint64_t ticks;
        if (!has_key(&k, i)) continue;
        if (take(&k, i, &ticks, file, err, errlen)) return -1;
        if (ticks_to_usec(ticks, &v) != NUM_OK) {
          return range_error(NUM_TOO_BIG, file, (span){k.keys[i], k.keys[i] + strlen(k.keys[i])}, err, errlen);
        }
        put(out, fields[i], v);
      }
      return 0;
    }

    case K_V1_CPU_STAT: {
      flat_keys k = {.keys = {"nr_periods", "nr_throttled", "throttled_time"}, .nkeys = 3};
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      if (put_key(out, F_CPU_NR_PERIODS, &k, 0, 1, file, err, errlen)) return -1;
      if (put_key(out, F_CPU_NR_THROTTLED, &k, 1, 1, file, err, errlen)) return -1;
      return put_key(out, F_CPU_THROTTLED_USEC, &k, 2, 1000, file, err, errlen); /* v1 counts ns */
    }

    case K_V1_MEMORY_STAT: {
      flat_keys k = {.keys = {"total_rss", "rss", "total_cache", "cache", "total_pgfault", "pgfault", "total_pgmajfault", "pgmajfault"},
                     .nkeys = 8};
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      if (put_first(out, F_MEMORY_ANON, &k, 0, 1, file, err, errlen)) return -1;
      if (put_first(out, F_MEMORY_FILE, &k, 2, 3, file, err, errlen)) return -1;
      if (put_first(out, F_MEMORY_PGFAULT, &k, 4, 5, file, err, errlen)) return -1;
      return put_first(out, F_MEMORY_PGMAJFAULT, &k, 6, 7, file, err, errlen);
    }

    case K_V1_MEMORY_OOM_CONTROL: {
      flat_keys k = {.keys = {"oom_kill"}, .nkeys = 1}; /* since Linux 4.13 */
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      return put_key(out, F_MEMORY_EVENTS_OOM_KILL, &k, 0, 1, file, err, errlen);
    }

    case K_V1_MEMORY_USAGE_IN_BYTES:
    case K_V2_MEMORY_CURRENT:
      if (parse_single(file, text, len, &v, err, errlen)) return -1;
      put(out, F_MEMORY_CURRENT, v);
      return 0;
    case K_V1_MEMORY_KMEM_USAGE_IN_BYTES:
      if (parse_single(file, text, len, &v, err, errlen)) return -1;
      put(out, F_MEMORY_KERNEL, v);
      return 0;
    case K_V1_MEMORY_MEMSW_USAGE_IN_BYTES: /* memory+swap: the sampler subtracts memory.current */
    case K_V2_MEMORY_SWAP_CURRENT:
      if (parse_single(file, text, len, &v, err, errlen)) return -1;
      put(out, F_MEMORY_SWAP_CURRENT, v);
      return 0;
    case K_V1_MEMORY_FAILCNT:
      if (parse_single(file, text, len, &v, err, errlen)) return -1;
      put(out, F_MEMORY_EVENTS_MAX, v); /* how often usage hit the limit: v2's "max" event */
      return 0;
    case K_PIDS_CURRENT:
      if (parse_single(file, text, len, &v, err, errlen)) return -1;
      put(out, F_PIDS_CURRENT, v);
      return 0;

    case K_V1_BLKIO_IO_SERVICE_BYTES:
    case K_V1_BLKIO_IO_SERVICED: {
      uint64_t r, w;
      if (parse_blkio(file, text, len, &r, &w, err, errlen)) return -1;
      int bytes = kind == K_V1_BLKIO_IO_SERVICE_BYTES;
      put(out, bytes ? F_IO_RBYTES : F_IO_RIOS, r);
      put(out, bytes ? F_IO_WBYTES : F_IO_WIOS, w);
      return 0;
    }

    case K_V2_CPU_STAT: {
      flat_keys k = {.keys = {"usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec"}, .nkeys = 6};
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      static const enum cgd_field fields[6] = {F_CPU_USAGE_USEC, F_CPU_USER_USEC,    F_CPU_SYSTEM_USEC,
                                               F_CPU_NR_PERIODS, F_CPU_NR_THROTTLED, F_CPU_THROTTLED_USEC};
      for (size_t i = 0; i < 6; i++)
        if (put_key(out, fields[i], &k, i, 1, file, err, errlen)) return -1;
      return 0;
    }

    case K_V2_MEMORY_STAT: {
      flat_keys k = {.keys = {"anon", "file", "kernel", "pgfault", "pgmajfault"}, .nkeys = 5};
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      static const enum cgd_field fields[5] = {F_MEMORY_ANON, F_MEMORY_FILE, F_MEMORY_KERNEL, F_MEMORY_PGFAULT, F_MEMORY_PGMAJFAULT};
      for (size_t i = 0; i < 5; i++)
        if (put_key(out, fields[i], &k, i, 1, file, err, errlen)) return -1;
      return 0;
    }

    case K_V2_MEMORY_EVENTS: {
      flat_keys k = {.keys = {"oom", "oom_kill", "high", "max"}, .nkeys = 4};
      if (parse_flat(file, text, len, &k, err, errlen)) return -1;
      static const enum cgd_field fields[4] = {F_MEMORY_EVENTS_OOM, F_MEMORY_EVENTS_OOM_KILL, F_MEMORY_EVENTS_HIGH, F_MEMORY_EVENTS_MAX};
      for (size_t i = 0; i < 4; i++) {
        put(out, fields[i], 0); /* a key the kernel does not print counts 0, as in parseMemoryEvents */
        if (put_key(out, fields[i], &k, i, 1, file, err, errlen)) return -1;
      }
      return 0;
    }

    case K_V2_IO_STAT: {
      uint64_t sums[4];
      if (parse_io_stat(file, text, len, sums, err, errlen)) return -1;
      put(out, F_IO_RBYTES, sums[0]);
      put(out, F_IO_WBYTES, sums[1]);
      put(out, F_IO_RIOS, sums[2]);
      put(out, F_IO_WIOS, sums[3]);
      return 0;
    }

    case K_V2_CPU_PRESSURE:
    case K_V2_MEMORY_PRESSURE:
    case K_V2_IO_PRESSURE: {
      psi_file psi;
      if (parse_psi(file, text, len, &psi, err, errlen)) return -1;
      enum cgd_field some = kind == K_V2_CPU_PRESSURE ? F_PSI_CPU_SOME_TOTAL_USEC
                            : kind == K_V2_MEMORY_PRESSURE ? F_PSI_MEMORY_SOME_TOTAL_USEC
                                                           : F_PSI_IO_SOME_TOTAL_USEC;
      if (put_total(out, some, psi.some_total, file, "some total", err, errlen)) return -1;
      if (kind != K_V2_CPU_PRESSURE && psi.full_seen) {
        enum cgd_field full = kind == K_V2_MEMORY_PRESSURE ? F_PSI_MEMORY_FULL_TOTAL_USEC : F_PSI_IO_FULL_TOTAL_USEC;
        if (put_total(out, full, psi.full_total, file, "full total", err, errlen)) return -1;
      }
      return 0;
    }

    case KIND_COUNT:
      break;
  }
  return fail(err, errlen, "unknown file kind %d", (int)kind);
}
