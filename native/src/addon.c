/*
 * N-API surface of the sampler (typed in native/index.d.ts):
 *
 *   new Sampler()
 *   sampler.setTargets(targets)   open what is new, keep what remains, drop the rest
 *   sampler.sample([skip])        Promise: one sweep over every target on a libuv worker thread
 *   sampleAll([samplers], [skips]) Promise: the sweeps of several samplers in one worker job
 *                                 (skip: a Uint32Array, per target the fields not to read)
 *   sampler.openedFiles()         what is held open, for diagnostics and the benchmark
 *   sampler.close()
 *   fieldNames, fileKinds, userHz, abiVersion
 *
 * Ownership: a sweep in flight holds a reference on the table it reads, and the table on its
 * targets, so a setTargets() or close() during a sweep closes the dropped descriptors only once
 * that sweep is done. All reference counts change on the main thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <node_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "sampler.h"

/* Bumped when the JavaScript ↔ C contract changes (the loader checks it). */
#define ABI_VERSION 3
/* Longest file name in a plan ("blkio.throttle.io_service_bytes_recursive" is 41). */
#define MAX_NAME_BYTES 255

#define CALL(env, call)                                                      \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      const napi_extended_error_info *info_ = NULL;                          \
      napi_get_last_error_info((env), &info_);                               \
      bool pending_ = false;                                                 \
      napi_is_exception_pending((env), &pending_);                           \
      if (!pending_)                                                         \
        napi_throw_error((env), "ERR_NAPI", info_ && info_->error_message    \
                                                ? info_->error_message       \
                                                : "N-API call failed");      \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

typedef struct {
  cgd_table *table; /* NULL once closed */
} sampler_state;

/* Marks the objects this addon wraps, so sampleAll never unwraps a stranger's object. */
static const napi_type_tag sampler_tag = {0x6367646173685f73ULL, 0x616d706c65727631ULL};

/* kind: 0 Error, 1 TypeError, 2 RangeError. */
static napi_value throw_fmt(napi_env env, int kind, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static napi_value throw_fmt(napi_env env, int kind, const char *code, const char *fmt, ...) {
  char message[PATH_MAX + 256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  if (kind == 1)
    napi_throw_type_error(env, code, message);
  else if (kind == 2)
    napi_throw_range_error(env, code, message);
  else
    napi_throw_error(env, code, message);
  return NULL;
}

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char words[128];
  return throw_fmt(env, 0, cgd_errno_name(err), "%s: %s", what, strerror_r(err, words, sizeof words));
}

static sampler_state *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *self) {
  sampler_state *state = NULL;
  if (napi_get_cb_info(env, info, argc, argv, self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, *self, (void **)&state) != napi_ok || !state) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not a Sampler");
    return NULL;
  }
  return state;
}

/* ---- reading the plan from JavaScript ------------------------------------------------------ */

/* A string property as a fresh C string; NULL with a TypeError pending when it is not one. */
static char *get_string(napi_env env, napi_value value, const char *where, size_t max_bytes) {
  napi_valuetype type;
  size_t len = 0;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
    throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "%s must be a string", where);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  if (len > max_bytes) {
    throw_fmt(env, 1, "ERR_INVALID_ARG_VALUE", "%s is longer than %zu bytes", where, max_bytes);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s) {
    throw_errno(env, ENOMEM, where);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  if (strlen(s) != len) {
    free(s);
    throw_fmt(env, 1, "ERR_INVALID_ARG_VALUE", "%s contains a NUL byte", where);
    return NULL;
  }
  return s;
}

/* An integer property in [0, max]; -1 with a TypeError pending otherwise. */
static int get_uint(napi_env env, napi_value obj, const char *prop, const char *where, double max, uint32_t *out) {
  napi_value value;
  napi_valuetype type;
  double d;
  if (napi_get_named_property(env, obj, prop, &value) != napi_ok) return -1;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number || napi_get_value_double(env, value, &d) != napi_ok ||
      !(d >= 0 && d <= max) || d != (double)(uint32_t)d) {
    throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "%s.%s must be an integer from 0 to %.0f", where, prop, max);
    return -1;
  }
  *out = (uint32_t)d;
  return 0;
}

static int get_array(napi_env env, napi_value obj, const char *prop, const char *where, napi_value *out, uint32_t *len) {
  bool is_array = false;
  if (napi_get_named_property(env, obj, prop, out) != napi_ok) return -1;
  if (napi_is_array(env, *out, &is_array) != napi_ok || !is_array) {
    throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "%s.%s must be an array", where, prop);
    return -1;
  }
  return napi_get_array_length(env, *out, len) == napi_ok ? 0 : -1;
}

static int is_object(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) == napi_ok && type == napi_object;
}

static int kind_of(const char *name) {
  for (int k = 0; k < KIND_COUNT; k++)
    if (strcmp(cgd_kind_names[k], name) == 0) return k;
  return -1;
}

static int bad_file_name(const char *name) {
  return name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* targets[i] → an unopened target; NULL with an exception pending on bad input. */
static cgd_target *read_target(napi_env env, napi_value spec, uint32_t index) {
  char where[96];
  snprintf(where, sizeof where, "targets[%u]", index);
  if (!is_object(env, spec)) return throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "%s must be an object", where), NULL;

  uint32_t key, ndirs, nspecs;
  napi_value dirs_js, files_js;
  if (get_uint(env, spec, "key", where, 4294967295.0, &key) || get_array(env, spec, "dirs", where, &dirs_js, &ndirs) ||
      get_array(env, spec, "files", where, &files_js, &nspecs))
    return NULL;

  char **dirs = calloc(ndirs ? ndirs : 1, sizeof *dirs);
  cgd_spec *specs = calloc(nspecs ? nspecs : 1, sizeof *specs);
  if (!dirs || !specs) {
    free(dirs);
    free(specs);
    return throw_errno(env, ENOMEM, "setTargets"), NULL;
  }
  /* From here on the target owns dirs and specs, so one free covers every failure. */
  cgd_target *t = cgd_target_new(key, dirs, ndirs, specs, nspecs);
  if (!t) {
    free(dirs);
    free(specs);
    return throw_errno(env, ENOMEM, "setTargets"), NULL;
  }
  t->ndirs = 0;
  t->nspecs = 0;
  for (uint32_t i = 0; i < ndirs; i++) {
    char what[128];
    napi_value v;
    snprintf(what, sizeof what, "%s.dirs[%u]", where, i);
    if (napi_get_element(env, dirs_js, i, &v) != napi_ok || !(dirs[i] = get_string(env, v, what, PATH_MAX - MAX_NAME_BYTES - 2)))
      goto fail;
    t->ndirs++;
    if (dirs[i][0] != '/') {
      throw_fmt(env, 1, "ERR_INVALID_ARG_VALUE", "%s must be an absolute path", what);
      goto fail;
    }
  }
  for (uint32_t i = 0; i < nspecs; i++) {
    char what[128];
    napi_value f, name_js;
    snprintf(what, sizeof what, "%s.files[%u]", where, i);
    if (napi_get_element(env, files_js, i, &f) != napi_ok) goto fail;
    if (!is_object(env, f)) {
      throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "%s must be an object", what);
      goto fail;
    }
    cgd_spec *s = &specs[i];
    if (get_uint(env, f, "dir", what, ndirs ? (double)ndirs - 1 : -1.0, &s->dir) || get_uint(env, f, "fieldMask", what, 4294967295.0, &s->mask))
      goto fail;
    if (napi_get_named_property(env, f, "name", &name_js) != napi_ok) goto fail;
    char name_what[160];
    snprintf(name_what, sizeof name_what, "%s.name", what);
    if (!(s->name = get_string(env, name_js, name_what, MAX_NAME_BYTES))) goto fail;
    t->nspecs++;
    if (bad_file_name(s->name)) {
      throw_fmt(env, 1, "ERR_INVALID_ARG_VALUE", "%s is not a file name: \"%s\"", name_what, s->name);
      goto fail;
    }
    napi_value kind_js;
    char kind_what[160];
    snprintf(kind_what, sizeof kind_what, "%s.kind", what);
    if (napi_get_named_property(env, f, "kind", &kind_js) != napi_ok) goto fail;
    char *kind_name = get_string(env, kind_js, kind_what, 64);
    if (!kind_name) goto fail;
    int kind = kind_of(kind_name);
    if (kind < 0) {
      throw_fmt(env, 1, "ERR_INVALID_ARG_VALUE", "%s: unknown file kind \"%s\"", kind_what, kind_name);
      free(kind_name);
      goto fail;
    }
    free(kind_name);
    s->kind = (uint32_t)kind;
  }
  return t;
fail:
  cgd_target_free(t);
  return NULL;
}

/* ---- setTargets -------------------------------------------------------------------------- */

typedef struct {
  uint32_t key;
  uint32_t index;
} key_index;

static int by_key(const void *a, const void *b) {
  uint32_t x = ((const key_index *)a)->key, y = ((const key_index *)b)->key;
  return x < y ? -1 : x > y;
}

static napi_value errors_to_js(napi_env env, const cgd_errors *errs) {
  napi_value arr;
  CALL(env, napi_create_array_with_length(env, errs->n, &arr));
  for (size_t i = 0; i < errs->n; i++) {
    const cgd_error *e = &errs->items[i];
    napi_value obj, key, file, code, message;
    CALL(env, napi_create_object(env, &obj));
    CALL(env, napi_create_uint32(env, e->key, &key));
    CALL(env, napi_create_string_utf8(env, e->path, NAPI_AUTO_LENGTH, &file));
    CALL(env, napi_create_string_utf8(env, e->code, NAPI_AUTO_LENGTH, &code));
    CALL(env, napi_create_string_utf8(env, e->message, NAPI_AUTO_LENGTH, &message));
    CALL(env, napi_set_named_property(env, obj, "key", key));
    CALL(env, napi_set_named_property(env, obj, "file", file));
    CALL(env, napi_set_named_property(env, obj, "code", code));
    CALL(env, napi_set_named_property(env, obj, "message", message));
    CALL(env, napi_set_element(env, arr, (uint32_t)i, obj));
  }
  return arr;
}

static int set_uint(napi_env env, napi_value obj, const char *name, uint32_t v) {
  napi_value js;
  return napi_create_uint32(env, v, &js) == napi_ok && napi_set_named_property(env, obj, name, js) == napi_ok ? 0 : -1;
}

static napi_value set_targets(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  sampler_state *state = unwrap(env, info, &argc, argv, &self);
  if (!state) return NULL;
  if (!state->table) return throw_fmt(env, 0, "ERR_SAMPLER_CLOSED", "setTargets: the sampler is closed");
  bool is_array = false;
  if (argc < 1 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) {
    return throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "setTargets: targets must be an array");
  }
  uint32_t n;
  CALL(env, napi_get_array_length(env, argv[0], &n));

  /* 1. Read and check everything before touching any state: bad input changes nothing. */
  cgd_table *next = cgd_table_new(n);
  key_index *order = calloc(n ? n : 1, sizeof *order);
  if (!next || !order) {
    cgd_table_unref(next);
    free(order);
    return throw_errno(env, ENOMEM, "setTargets");
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value spec;
    cgd_target *t = napi_get_element(env, argv[0], i, &spec) == napi_ok ? read_target(env, spec, i) : NULL;
    if (!t) {
      next->n = i; /* the targets read so far, each owned by `next` alone */
      cgd_table_unref(next);
      free(order);
      return NULL;
    }
    t->refs = 1;
    next->targets[i] = t;
    order[i] = (key_index){t->key, i};
  }
  qsort(order, n, sizeof *order, by_key);
  for (uint32_t i = 1; i < n; i++) {
    if (order[i].key == order[i - 1].key) {
      uint32_t dup = order[i].key;
      free(order);
      cgd_table_unref(next);
      return throw_fmt(env, 1, "ERR_INVALID_ARG_VALUE", "setTargets: key %u is given twice", dup);
    }
  }
  free(order);

  /* 2. Keep the targets that remain with the same plan (and neither vanished nor failed to
        open a file), open the rest. (A getter of the input may have closed the sampler.) */
  cgd_table *prev = state->table;
  if (!prev) {
    cgd_table_unref(next);
    return throw_fmt(env, 0, "ERR_SAMPLER_CLOSED", "setTargets: the sampler is closed");
  }
  key_index *old = calloc(prev->n ? prev->n : 1, sizeof *old);
  if (!old) {
    cgd_table_unref(next);
    return throw_errno(env, ENOMEM, "setTargets");
  }
  for (uint32_t i = 0; i < prev->n; i++) old[i] = (key_index){prev->targets[i]->key, i};
  qsort(old, prev->n, sizeof *old, by_key);

  cgd_errors errs = {0};
  uint32_t kept = 0, opened = 0, open_files = 0;
  for (uint32_t i = 0; i < n; i++) {
    cgd_target *t = next->targets[i];
    key_index probe = {t->key, 0};
    key_index *hit = prev->n ? bsearch(&probe, old, prev->n, sizeof *old, by_key) : NULL;
    cgd_target *was = hit ? prev->targets[hit->index] : NULL;
    if (was && !cgd_target_vanished(was) && !was->open_failed && cgd_target_same_plan(was, t)) {
      cgd_target_unref(t);
      was->refs++;
      next->targets[i] = was;
      kept++;
    } else {
      int err = cgd_target_open(t, &errs);
      if (err) {
        free(old);
        cgd_errors_free(&errs);
        cgd_table_unref(next);
        return throw_errno(env, err, "setTargets");
      }
      opened++;
    }
    open_files += next->targets[i]->nfiles;
  }
  free(old);
  uint32_t dropped = prev->n - kept;
  state->table = next;
  cgd_table_unref(prev); /* dropped targets close now, or when the last sweep reading them ends */

  napi_value report, errors_js;
  CALL(env, napi_create_object(env, &report));
  errors_js = errors_to_js(env, &errs);
  cgd_errors_free(&errs);
  if (!errors_js) return NULL;
  if (set_uint(env, report, "targets", n) || set_uint(env, report, "kept", kept) || set_uint(env, report, "opened", opened) ||
      set_uint(env, report, "dropped", dropped) || set_uint(env, report, "openFiles", open_files))
    return NULL;
  CALL(env, napi_set_named_property(env, report, "errors", errors_js));
  return report;
}

/* ---- sample, sampleAll ------------------------------------------------------------------- */

/* One sampler's sweep within a job. */
typedef struct {
  napi_ref buffer_ref;
  napi_ref self_ref;
  cgd_table *table;
  uint32_t *skip; /* a copy of the caller's masks, or NULL */
  cgd_out out;
  cgd_errors errs;
  int err;
  uint64_t started_ns, finished_ns;
} sweep_part;

/*
 * One libuv work item: the sweeps of one sampler (sample) or of several, one after another
 * (sampleAll). Sharded samplers sweep together so a tick costs one thread hand-off and one
 * completion on the main thread, not one per shard.
 */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int as_array; /* sampleAll: resolve with an array of batches */
  uint32_t n;
  sweep_part parts[];
} sample_job;

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* the clock of process.hrtime.bigint() */
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sample_execute(napi_env env, void *data) {
  (void)env;
  sample_job *job = data;
  for (uint32_t i = 0; i < job->n; i++) {
    sweep_part *part = &job->parts[i];
    part->started_ns = monotonic_ns();
    part->err = cgd_sweep(part->table, part->skip, &part->out, &part->errs);
    part->finished_ns = monotonic_ns();
  }
}

static napi_value typed_view(napi_env env, napi_typedarray_type type, size_t length, napi_value buffer, size_t offset) {
  napi_value view;
  CALL(env, napi_create_typedarray(env, type, length, buffer, offset, &view));
  return view;
}

static napi_value build_batch(napi_env env, sweep_part *part) {
  napi_value buffer, batch, errors_js, started, finished;
  size_t n = part->table->n;
  size_t values_bytes = n * FIELD_COUNT * sizeof(uint64_t);
  CALL(env, napi_get_reference_value(env, part->buffer_ref, &buffer));
  CALL(env, napi_create_object(env, &batch));
  napi_value keys = typed_view(env, napi_uint32_array, n, buffer, values_bytes);
  napi_value values = typed_view(env, napi_biguint64_array, n * FIELD_COUNT, buffer, 0);
  napi_value present = typed_view(env, napi_uint32_array, n, buffer, values_bytes + n * 4);
  napi_value vanished = typed_view(env, napi_uint8_array, n, buffer, values_bytes + n * 8);
  if (!keys || !values || !present || !vanished || !(errors_js = errors_to_js(env, &part->errs))) return NULL;
  CALL(env, napi_create_bigint_uint64(env, part->started_ns, &started));
  CALL(env, napi_create_bigint_uint64(env, part->finished_ns, &finished));
  CALL(env, napi_set_named_property(env, batch, "keys", keys));
  CALL(env, napi_set_named_property(env, batch, "values", values));
  CALL(env, napi_set_named_property(env, batch, "present", present));
  CALL(env, napi_set_named_property(env, batch, "vanished", vanished));
  CALL(env, napi_set_named_property(env, batch, "errors", errors_js));
  CALL(env, napi_set_named_property(env, batch, "startedNs", started));
  CALL(env, napi_set_named_property(env, batch, "finishedNs", finished));
  return batch;
}

static napi_value build_result(napi_env env, sample_job *job) {
  if (!job->as_array) return build_batch(env, &job->parts[0]);
  napi_value arr;
  CALL(env, napi_create_array_with_length(env, job->n, &arr));
  for (uint32_t i = 0; i < job->n; i++) {
    napi_value batch = build_batch(env, &job->parts[i]);
    if (!batch) return NULL;
    CALL(env, napi_set_element(env, arr, i, batch));
  }
  return arr;
}

static void free_job(napi_env env, sample_job *job) {
  for (uint32_t i = 0; i < job->n; i++) {
    sweep_part *part = &job->parts[i];
    if (part->table) cgd_table_unref(part->table);
    free(part->skip);
    cgd_errors_free(&part->errs);
    if (part->buffer_ref) napi_delete_reference(env, part->buffer_ref);
    if (part->self_ref) napi_delete_reference(env, part->self_ref);
  }
  if (job->work) napi_delete_async_work(env, job->work);
  free(job);
}

static void reject_with_errno(napi_env env, napi_deferred deferred, const char *code_name, int err, const char *what) {
  napi_value error = NULL, code, message;
  char words[128], text[192];
  snprintf(text, sizeof text, "%s: %s", what, err ? strerror_r(err, words, sizeof words) : "could not queue the sweep");
  napi_create_string_utf8(env, code_name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_reject_deferred(env, deferred, error);
}

static void sample_complete(napi_env env, napi_status status, void *data) {
  sample_job *job = data;
  int err = status == napi_ok ? 0 : EIO;
  for (uint32_t i = 0; i < job->n && !err; i++) err = job->parts[i].err;
  napi_value result = err ? NULL : build_result(env, job);
  if (result) {
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value error = NULL;
      napi_get_and_clear_last_exception(env, &error);
      napi_reject_deferred(env, job->deferred, error);
    } else {
      if (!err) err = EIO;
      reject_with_errno(env, job->deferred, cgd_errno_name(err), err, "sample");
    }
  }
  free_job(env, job);
}

static napi_value reject_closed(napi_env env) {
  napi_value promise, code, message, error;
  napi_deferred deferred;
  CALL(env, napi_create_promise(env, &deferred, &promise));
  CALL(env, napi_create_string_utf8(env, "ERR_SAMPLER_CLOSED", NAPI_AUTO_LENGTH, &code));
  CALL(env, napi_create_string_utf8(env, "sample: the sampler is closed", NAPI_AUTO_LENGTH, &message));
  CALL(env, napi_create_error(env, code, message, &error));
  CALL(env, napi_reject_deferred(env, deferred, error));
  return promise;
}

/*
 * A skip argument: undefined or null (read everything), or a Uint32Array with one mask per
 * target of `table`, copied so that the caller may reuse it while the sweep runs. Returns 0, or
 * -1 with a TypeError/RangeError thrown.
 */
static int read_skip(napi_env env, napi_value value, const cgd_table *table, const char *where, uint32_t **out) {
  napi_valuetype type;
  *out = NULL;
  if (!value || napi_typeof(env, value, &type) != napi_ok || type == napi_undefined || type == napi_null) return 0;
  bool is_typed = false;
  napi_typedarray_type kind;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &kind, &length, &data, NULL, NULL) != napi_ok || kind != napi_uint32_array) {
    throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "%s: skip must be a Uint32Array", where);
    return -1;
  }
  if (length != table->n) {
    throw_fmt(env, 2, "ERR_OUT_OF_RANGE", "%s: skip has %zu masks for %u targets", where, length, table->n);
    return -1;
  }
  if (length == 0) return 0;
  *out = malloc(length * sizeof **out);
  if (!*out) {
    throw_errno(env, ENOMEM, where);
    return -1;
  }
  memcpy(*out, data, length * sizeof **out);
  return 0;
}

/*
 * Queue one job sweeping `states` in order (skips: one skip argument per state, or NULL); the
 * promise resolves with one batch, or with an array of them (as_array). Each batch has its own
 * ArrayBuffer: values | keys | present | vanished, made here, filled by the worker, seen by
 * JavaScript only once the promise resolves.
 */
static napi_value queue_sweeps(napi_env env, const napi_value *selves, sampler_state *const *states, const napi_value *skips, uint32_t n, int as_array) {
  for (uint32_t i = 0; i < n; i++)
    if (!states[i]->table) return reject_closed(env);
  sample_job *job = calloc(1, sizeof *job + n * sizeof(sweep_part));
  if (!job) return throw_errno(env, ENOMEM, "sample");
  job->as_array = as_array;
  job->n = n;
  napi_value promise, name;
  for (uint32_t i = 0; i < n; i++) {
    sweep_part *part = &job->parts[i];
    size_t rows = states[i]->table->n;
    if (skips && read_skip(env, skips[i], states[i]->table, as_array ? "sampleAll" : "sample", &part->skip) != 0) {
      free_job(env, job);
      return NULL;
    }
    size_t values_bytes = rows * FIELD_COUNT * sizeof(uint64_t);
    void *data = NULL;
    napi_value buffer;
    if (napi_create_arraybuffer(env, values_bytes + rows * 9, &data, &buffer) != napi_ok ||
        napi_create_reference(env, buffer, 1, &part->buffer_ref) != napi_ok ||
        napi_create_reference(env, selves[i], 1, &part->self_ref) != napi_ok) {
      free_job(env, job); /* a pending exception says why */
      return NULL;
    }
    part->out = (cgd_out){
        .values = data,
        .keys = (uint32_t *)((char *)data + values_bytes),
        .present = (uint32_t *)((char *)data + values_bytes + rows * 4),
        .vanished = (uint8_t *)data + values_bytes + rows * 8,
    };
    part->table = states[i]->table;
    part->table->refs++;
  }
  if (napi_create_string_utf8(env, "cgdash.sample", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, sample_execute, sample_complete, job, &job->work) != napi_ok ||
      napi_create_promise(env, &job->deferred, &promise) != napi_ok) {
    free_job(env, job);
    return NULL;
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    /* The promise is already made: settle it rather than leave it pending. */
    reject_with_errno(env, job->deferred, "ERR_NAPI", 0, "sample");
    free_job(env, job);
  }
  return promise;
}

static napi_value sample(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL}, self;
  sampler_state *state = unwrap(env, info, &argc, argv, &self);
  if (!state) return NULL;
  return queue_sweeps(env, &self, &state, argc >= 1 ? argv : NULL, 1, 0);
}

/*
 * sampleAll(samplers, skips?): one job for them all; resolves with their batches in the same
 * order. skips, when given, is an array as long as samplers (each element a skip argument).
 */
static napi_value sample_all(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2] = {NULL, NULL}, list, skip_list = NULL;
  bool is_array = false;
  uint32_t n = 0;
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array)
    return throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "sampleAll: expected an array of Samplers");
  list = argv[0];
  CALL(env, napi_get_array_length(env, list, &n));
  if (argc >= 2) {
    napi_valuetype type;
    CALL(env, napi_typeof(env, argv[1], &type));
    if (type != napi_undefined && type != napi_null) {
      uint32_t m = 0;
      if (napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array)
        return throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "sampleAll: skips must be an array");
      CALL(env, napi_get_array_length(env, argv[1], &m));
      if (m != n) return throw_fmt(env, 2, "ERR_OUT_OF_RANGE", "sampleAll: %u skips for %u samplers", m, n);
      skip_list = argv[1];
    }
  }
  napi_value *selves = calloc(n ? n : 1, sizeof *selves);
  napi_value *skips = calloc(n ? n : 1, sizeof *skips);
  sampler_state **states = calloc(n ? n : 1, sizeof *states);
  if (!selves || !skips || !states) {
    free(selves);
    free(skips);
    free(states);
    return throw_errno(env, ENOMEM, "sampleAll");
  }
  napi_value result = NULL;
  for (uint32_t i = 0; i < n; i++) {
    bool tagged = false;
    if (napi_get_element(env, list, i, &selves[i]) != napi_ok) goto done;
    if (!is_object(env, selves[i]) || napi_check_object_type_tag(env, selves[i], &sampler_tag, &tagged) != napi_ok || !tagged ||
        napi_unwrap(env, selves[i], (void **)&states[i]) != napi_ok || !states[i]) {
      throw_fmt(env, 1, "ERR_INVALID_ARG_TYPE", "sampleAll: element %u is not a Sampler", i);
      goto done;
    }
    if (skip_list && napi_get_element(env, skip_list, i, &skips[i]) != napi_ok) goto done;
  }
  result = queue_sweeps(env, selves, states, skip_list ? skips : NULL, n, 1);
done:
  free(selves);
  free(skips);
  free(states);
  return result;
}

/* ---- openedFiles, close, construction ---------------------------------------------------- */

static napi_value opened_files(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value self, arr;
  sampler_state *state = unwrap(env, info, &argc, NULL, &self);
  if (!state) return NULL;
  CALL(env, napi_create_array(env, &arr));
  if (!state->table) return arr;
  uint32_t index = 0;
  char path[PATH_MAX];
  for (uint32_t i = 0; i < state->table->n; i++) {
    const cgd_target *t = state->table->targets[i];
    for (uint32_t j = 0; j < t->nfiles; j++) {
      const cgd_file *f = &t->files[j];
      napi_value obj, path_js, kind_js;
      snprintf(path, sizeof path, "%s/%s", t->dirs[f->spec->dir], f->spec->name);
      CALL(env, napi_create_object(env, &obj));
      CALL(env, napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &path_js));
      CALL(env, napi_create_string_utf8(env, cgd_kind_names[f->kind], NAPI_AUTO_LENGTH, &kind_js));
      if (set_uint(env, obj, "key", t->key) || set_uint(env, obj, "fieldMask", f->mask)) return NULL;
      CALL(env, napi_set_named_property(env, obj, "path", path_js));
      CALL(env, napi_set_named_property(env, obj, "kind", kind_js));
      CALL(env, napi_set_element(env, arr, index++, obj));
    }
  }
  return arr;
}

static napi_value close_sampler(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value self, undefined;
  sampler_state *state = unwrap(env, info, &argc, NULL, &self);
  if (!state) return NULL;
  cgd_table_unref(state->table); /* sweeps in flight keep their targets open until they finish */
  state->table = NULL;
  CALL(env, napi_get_undefined(env, &undefined));
  return undefined;
}

static void finalize_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sampler_state *state = data;
  cgd_table_unref(state->table);
  free(state);
}

static napi_value construct(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value self, target;
  CALL(env, napi_get_new_target(env, info, &target));
  if (!target) return throw_fmt(env, 1, "ERR_CONSTRUCT_CALL_REQUIRED", "Sampler must be called with new");
  CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  sampler_state *state = calloc(1, sizeof *state);
  if (!state || !(state->table = cgd_table_new(0))) {
    free(state);
    return throw_errno(env, ENOMEM, "Sampler");
  }
  if (napi_type_tag_object(env, self, &sampler_tag) != napi_ok || napi_wrap(env, self, state, finalize_state, NULL, NULL) != napi_ok) {
    cgd_table_unref(state->table);
    free(state);
    return NULL;
  }
  return self;
}

static napi_value string_list(napi_env env, const char *const *names, size_t n) {
  napi_value arr;
  CALL(env, napi_create_array_with_length(env, n, &arr));
  for (size_t i = 0; i < n; i++) {
    napi_value s;
    CALL(env, napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s));
    CALL(env, napi_set_element(env, arr, (uint32_t)i, s));
  }
  return arr;
}

static napi_value init(napi_env env, napi_value exports) {
  if (cgd_parse_init() != 0) return throw_errno(env, errno ? errno : ENOMEM, "cgdash_sampler: init");
  napi_property_descriptor methods[] = {
      {"setTargets", NULL, set_targets, NULL, NULL, NULL, napi_default_method, NULL},
      {"sample", NULL, sample, NULL, NULL, NULL, napi_default_method, NULL},
      {"openedFiles", NULL, opened_files, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, close_sampler, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls, fields, kinds, hz, abi, sample_all_fn;
  CALL(env, napi_define_class(env, "Sampler", NAPI_AUTO_LENGTH, construct, NULL, sizeof methods / sizeof methods[0], methods, &cls));
  if (!(fields = string_list(env, cgd_field_names, FIELD_COUNT)) || !(kinds = string_list(env, cgd_kind_names, KIND_COUNT))) return NULL;
  CALL(env, napi_create_int64(env, cgd_user_hz(), &hz));
  CALL(env, napi_create_uint32(env, ABI_VERSION, &abi));
  CALL(env, napi_create_function(env, "sampleAll", NAPI_AUTO_LENGTH, sample_all, NULL, &sample_all_fn));
  CALL(env, napi_set_named_property(env, exports, "Sampler", cls));
  CALL(env, napi_set_named_property(env, exports, "sampleAll", sample_all_fn));
  CALL(env, napi_set_named_property(env, exports, "fieldNames", fields));
  CALL(env, napi_set_named_property(env, exports, "fileKinds", kinds));
  CALL(env, napi_set_named_property(env, exports, "userHz", hz));
  CALL(env, napi_set_named_property(env, exports, "abiVersion", abi));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
