/*
 * The sampler core, free of N-API: targets with their kept file descriptors, and one sweep
 * over all of them. The rules mirror server/monitor/sampler/tsSampler.ts.
 */
#ifndef CGDASH_SAMPLER_H
#define CGDASH_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"

/* One file of a target's plan (server/monitor/sampler/plan.ts), in precedence order. */
typedef struct {
  uint32_t dir;  /* index into the target's dirs */
  uint32_t kind; /* enum cgd_kind */
  uint32_t mask; /* fields it may claim */
  char *name;
} cgd_spec;

/* A planned file that opened: it claimed `mask` (its fields not claimed before it). */
typedef struct {
  int fd;
  uint32_t kind;
  uint32_t mask;
  const cgd_spec *spec;
} cgd_file;

typedef struct {
  uint32_t key;
  /* Owners: the current table and every sweep in flight. Touched on the main thread only. */
  uint32_t refs;
  /* A directory or file was gone (ENOENT/ENODEV): set by a sweep, read by setTargets, which
     then opens the target afresh. Written from worker threads, hence atomic. */
  int vanished;
  /* The swap slot holds v1 memory+swap until the sweep subtracts memory.current. */
  int swap_from_memsw;
  /* A planned file failed to open for a reason other than absence (EACCES, EMFILE): the next
     setTargets tries the target afresh instead of keeping it. */
  int open_failed;
  uint32_t ndirs;
  char **dirs;
  uint32_t nspecs;
  cgd_spec *specs;
  uint32_t nfiles;
  cgd_file *files;
} cgd_target;

/* An unexpected failure, reported to JavaScript in `errors`. */
typedef struct {
  uint32_t key;
  char *path;
  const char *code; /* "EACCES", "EPARSE": static */
  char *message;
} cgd_error;

typedef struct {
  cgd_error *items;
  size_t n, cap;
} cgd_errors;

typedef struct {
  uint32_t refs; /* the sampler while current, and every sweep in flight */
  uint32_t n;
  cgd_target **targets;
} cgd_table;

/* Where a sweep writes: n rows of FIELD_COUNT values, and n keys, masks and flags. */
typedef struct {
  uint64_t *values;
  uint32_t *keys;
  uint32_t *present;
  uint8_t *vanished;
} cgd_out;

/* A new, unopened target; takes ownership of dirs and specs (freed with the target). */
cgd_target *cgd_target_new(uint32_t key, char **dirs, uint32_t ndirs, cgd_spec *specs, uint32_t nspecs);
/* Frees a target that was never shared (refs == 0); closes what it opened. */
void cgd_target_free(cgd_target *t);
/* Whether two targets were given the same directories and plan. */
int cgd_target_same_plan(const cgd_target *a, const cgd_target *b);
int cgd_target_vanished(const cgd_target *t);
/* Open the planned files (claiming fields in order); failures other than "absent" go to errs. */
int cgd_target_open(cgd_target *t, cgd_errors *errs);
void cgd_target_unref(cgd_target *t);

cgd_table *cgd_table_new(uint32_t n);
void cgd_table_unref(cgd_table *table);

/*
 * One sweep over every target of `table`. `skip` (NULL, or one mask per target): fields not to
 * read this sweep; a file is left unread when every field it claims is skipped, and skipped
 * fields are not present. Returns 0, or an errno when it could not run at all.
 */
int cgd_sweep(const cgd_table *table, const uint32_t *skip, const cgd_out *out, cgd_errors *errs);

int cgd_errors_add(cgd_errors *errs, uint32_t key, const char *path, const char *code, const char *message);
void cgd_errors_free(cgd_errors *errs);
const char *cgd_errno_name(int err);

#endif
