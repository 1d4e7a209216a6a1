#define _GNU_SOURCE
#include "sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

/* The first read tries this much; a file that fills it is read again with twice the room. */
#define READ_BUFFER_BYTES (64 * 1024)
/* No cgroup file the sampler reads comes near this (blkio with thousands of devices would). */
#define READ_BUFFER_MAX_BYTES (16 * 1024 * 1024)

/* ---- errors ------------------------------------------------------------------------------ */

const char *cgd_errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ELOOP: return "ELOOP";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENXIO: return "ENXIO";
    case EINTR: return "EINTR";
    case ESTALE: return "ESTALE";
    default: return "EUNKNOWN";
  }
}

int cgd_errors_add(cgd_errors *errs, uint32_t key, const char *path, const char *code, const char *message) {
  if (errs->n == errs->cap) {
    size_t cap = errs->cap ? errs->cap * 2 : 16;
    cgd_error *items = realloc(errs->items, cap * sizeof *items);
    if (!items) return -1;
    errs->items = items;
    errs->cap = cap;
  }
  char *p = strdup(path), *m = strdup(message);
  if (!p || !m) {
    free(p);
    free(m);
    return -1;
  }
  errs->items[errs->n++] = (cgd_error){.key = key, .path = p, .code = code, .message = m};
  return 0;
}

void cgd_errors_free(cgd_errors *errs) {
  for (size_t i = 0; i < errs->n; i++) {
    free(errs->items[i].path);
    free(errs->items[i].message);
  }
  free(errs->items);
  *errs = (cgd_errors){0};
}

static void add_errno(cgd_errors *errs, uint32_t key, const char *path, const char *action, int err) {
  char words[128], message[PATH_MAX + 256];
  const char *text = strerror_r(err, words, sizeof words);
  snprintf(message, sizeof message, "%s %s: %s (%s)", action, path, text, cgd_errno_name(err));
  cgd_errors_add(errs, key, path, cgd_errno_name(err), message); /* out of memory: the error is lost, the sweep goes on */
}

static void join_path(char *out, size_t outlen, const char *dir, const char *name) {
  snprintf(out, outlen, "%s/%s", dir, name);
}

/* ---- targets ----------------------------------------------------------------------------- */

cgd_target *cgd_target_new(uint32_t key, char **dirs, uint32_t ndirs, cgd_spec *specs, uint32_t nspecs) {
  cgd_target *t = calloc(1, sizeof *t);
  cgd_file *files = calloc(nspecs ? nspecs : 1, sizeof *files);
  if (!t || !files) {
    free(t);
    free(files);
    return NULL;
  }
  t->key = key;
  t->dirs = dirs;
  t->ndirs = ndirs;
  t->specs = specs;
  t->nspecs = nspecs;
  t->files = files;
  return t;
}

void cgd_target_free(cgd_target *t) {
  if (!t) return;
  for (uint32_t i = 0; i < t->nfiles; i++) close(t->files[i].fd);
  for (uint32_t i = 0; i < t->ndirs; i++) free(t->dirs[i]);
  for (uint32_t i = 0; i < t->nspecs; i++) free(t->specs[i].name);
  free(t->dirs);
  free(t->specs);
  free(t->files);
  free(t);
}

void cgd_target_unref(cgd_target *t) {
  if (t && --t->refs == 0) cgd_target_free(t);
}

int cgd_target_vanished(const cgd_target *t) { return __atomic_load_n(&t->vanished, __ATOMIC_RELAXED); }

int cgd_target_same_plan(const cgd_target *a, const cgd_target *b) {
  if (a->ndirs != b->ndirs || a->nspecs != b->nspecs) return 0;
  for (uint32_t i = 0; i < a->ndirs; i++)
    if (strcmp(a->dirs[i], b->dirs[i]) != 0) return 0;
  for (uint32_t i = 0; i < a->nspecs; i++) {
    const cgd_spec *x = &a->specs[i], *y = &b->specs[i];
    if (x->dir != y->dir || x->kind != y->kind || x->mask != y->mask || strcmp(x->name, y->name) != 0) return 0;
  }
  return 1;
}

/* errno of an open() that means "this file is not there here": claims nothing, not an error. */
static int absent_file(int err) { return err == ENOENT || err == EOPNOTSUPP || err == ENOTSUP; }

int cgd_target_open(cgd_target *t, cgd_errors *errs) {
  char path[PATH_MAX];
  int *dirfd = malloc((t->ndirs ? t->ndirs : 1) * sizeof *dirfd);
  if (!dirfd) return ENOMEM;
  for (uint32_t i = 0; i < t->ndirs; i++) dirfd[i] = -2; /* not opened yet */
  uint32_t claimed = 0;
  for (uint32_t i = 0; i < t->nspecs; i++) {
    const cgd_spec *s = &t->specs[i];
    uint32_t want = s->mask & ~claimed;
    if (!want) continue; /* every field it could give is already claimed: never opened */
    if (dirfd[s->dir] == -2) {
      dirfd[s->dir] = open(t->dirs[s->dir], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dirfd[s->dir] < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
          t->vanished = 1; /* removed before we got here (or not a cgroup directory) */
        } else {
          add_errno(errs, t->key, t->dirs[s->dir], "opening", err);
          t->open_failed = 1;
        }
        dirfd[s->dir] = -1;
      }
    }
    if (dirfd[s->dir] < 0) continue;
    int fd = openat(dirfd[s->dir], s->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == ENODEV)
        t->vanished = 1;
      else if (!absent_file(err)) {
        join_path(path, sizeof path, t->dirs[s->dir], s->name);
        add_errno(errs, t->key, path, "opening", err);
        t->open_failed = 1;
      }
      continue;
    }
    t->files[t->nfiles++] = (cgd_file){.fd = fd, .kind = s->kind, .mask = want, .spec = s};
    claimed |= want;
    if (s->kind == K_V1_MEMORY_MEMSW_USAGE_IN_BYTES && (want & FIELD_BIT(F_MEMORY_SWAP_CURRENT))) t->swap_from_memsw = 1;
  }
  for (uint32_t i = 0; i < t->ndirs; i++)
    if (dirfd[i] >= 0) close(dirfd[i]);
  free(dirfd);
  return 0;
}

/* ---- tables ------------------------------------------------------------------------------ */

cgd_table *cgd_table_new(uint32_t n) {
  cgd_table *table = calloc(1, sizeof *table);
  if (!table) return NULL;
  table->targets = calloc(n ? n : 1, sizeof *table->targets);
  if (!table->targets) {
    free(table);
    return NULL;
  }
  table->n = n;
  table->refs = 1;
  return table;
}

void cgd_table_unref(cgd_table *table) {
  if (!table || --table->refs > 0) return;
  for (uint32_t i = 0; i < table->n; i++) cgd_target_unref(table->targets[i]);
  free(table->targets);
  free(table);
}

/* ---- the sweep --------------------------------------------------------------------------- */

typedef struct {
  char *data;
  size_t cap;
} buffer;

/*
 * The whole file in one pread() at offset 0 on the kept descriptor: cgroupfs files are
 * seq_files, which regenerate their text for a read at offset 0 and fill the buffer unless
 * the text ends first, so a short read is the whole file. Returns its length or -errno.
 */
static ssize_t read_whole(int fd, buffer *buf) {
  for (;;) {
    ssize_t n;
    do n = pread(fd, buf->data, buf->cap, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if ((size_t)n < buf->cap) return n;
    if (buf->cap >= READ_BUFFER_MAX_BYTES) return -EFBIG;
    char *bigger = realloc(buf->data, buf->cap * 2);
    if (!bigger) return -ENOMEM;
    buf->data = bigger;
    buf->cap *= 2;
  }
}

/* ENOENT/ENODEV on a kept descriptor: the cgroup was removed. */
static int vanished_errno(int err) { return err == ENODEV || err == ENOENT; }

static void sweep_target(cgd_target *t, uint32_t skip, buffer *buf, uint64_t *row, uint32_t *present_out, uint8_t *vanished_out, cgd_errors *errs) {
  char path[PATH_MAX], why[512];
  uint32_t present = 0;
  int vanished = cgd_target_vanished(t);
  memset(row, 0, FIELD_COUNT * sizeof *row);
  for (uint32_t i = 0; i < t->nfiles; i++) {
    const cgd_file *f = &t->files[i];
    if ((f->mask & ~skip) == 0) continue;
    ssize_t n = read_whole(f->fd, buf);
    if (n < 0) {
      int err = (int)-n;
      if (vanished_errno(err)) {
        vanished = 1;
      } else if (err != EOPNOTSUPP && err != ENOTSUP) { /* EOPNOTSUPP: PSI switched off */
        join_path(path, sizeof path, t->dirs[f->spec->dir], f->spec->name);
        add_errno(errs, t->key, path, "reading", err);
      }
      continue;
    }
    cgd_values parsed;
    if (cgd_parse((enum cgd_kind)f->kind, buf->data, (size_t)n, &parsed, why, sizeof why) != 0) {
      join_path(path, sizeof path, t->dirs[f->spec->dir], f->spec->name);
      cgd_errors_add(errs, t->key, path, "EPARSE", why);
      continue;
    }
    uint32_t take = parsed.mask & f->mask & ~skip;
    present |= take;
    while (take) {
      int field = __builtin_ctz(take);
      row[field] = parsed.v[field];
      take &= take - 1;
    }
  }
  if (t->swap_from_memsw && (present & FIELD_BIT(F_MEMORY_SWAP_CURRENT))) {
    /* v1 counts memory+swap, v2 swap alone; the two files are read a moment apart, hence the clamp. */
    if (present & FIELD_BIT(F_MEMORY_CURRENT)) {
      uint64_t memsw = row[F_MEMORY_SWAP_CURRENT], current = row[F_MEMORY_CURRENT];
      row[F_MEMORY_SWAP_CURRENT] = memsw > current ? memsw - current : 0;
    } else {
      present &= ~FIELD_BIT(F_MEMORY_SWAP_CURRENT);
      row[F_MEMORY_SWAP_CURRENT] = 0;
    }
  }
  if (vanished) __atomic_store_n(&t->vanished, 1, __ATOMIC_RELAXED);
  *present_out = present;
  *vanished_out = (uint8_t)vanished;
}

int cgd_sweep(const cgd_table *table, const uint32_t *skip, const cgd_out *out, cgd_errors *errs) {
  buffer buf = {.data = malloc(READ_BUFFER_BYTES), .cap = READ_BUFFER_BYTES};
  if (!buf.data) return ENOMEM;
  for (uint32_t i = 0; i < table->n; i++) {
    cgd_target *t = table->targets[i];
    out->keys[i] = t->key;
    sweep_target(t, skip ? skip[i] : 0, &buf, &out->values[(size_t)i * FIELD_COUNT], &out->present[i], &out->vanished[i], errs);
  }
  free(buf.data);
  return 0;
}
