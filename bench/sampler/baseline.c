/*
 * The C baseline of the sampler benchmark: what sampling costs with nothing in the way.
 * It opens the files named in LISTFILE once (the same files the addon keeps open), then per
 * sweep pread()s each at offset 0 and minimally parses it (every number is converted and
 * summed, so the work cannot be optimised away). No N-API, no threads, no validation.
 *
 *   sampler-baseline LISTFILE
 *
 * Prints "ready FILES", then answers each "sweep" line on stdin with one sweep and a line
 * "WALL_NS CPU_NS". Ends at end of input. Driven by run.ts so that its sweeps alternate with
 * the addon's and the TypeScript sampler's, under the same load.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_BYTES (64 * 1024)

static uint64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t parse_numbers(const char *p, ssize_t n) {
  uint64_t sum = 0, v = 0;
  int in_number = 0;
  for (ssize_t i = 0; i < n; i++) {
    unsigned d = (unsigned)(p[i] - '0');
    if (d < 10) {
      v = v * 10 + d;
      in_number = 1;
    } else if (in_number) {
      sum += v;
      v = 0;
      in_number = 0;
    }
  }
  return sum + v;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s LISTFILE\n", argv[0]);
    return 2;
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  FILE *list = fopen(argv[1], "r");
  if (!list) {
    perror(argv[1]);
    return 1;
  }
  size_t cap = 1024, n = 0;
  int *fds = malloc(cap * sizeof *fds);
  char line[4096];
  while (fds && fgets(line, sizeof line, list)) {
    line[strcspn(line, "\n")] = '\0';
    if (!line[0]) continue;
    int fd = open(line, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "open %s: %s\n", line, strerror(errno));
      return 1;
    }
    if (n == cap) fds = realloc(fds, (cap *= 2) * sizeof *fds);
    if (fds) fds[n++] = fd;
  }
  fclose(list);
  char *buf = malloc(BUFFER_BYTES);
  if (!fds || !buf) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  printf("ready %zu\n", n);
  fflush(stdout);
  uint64_t checksum = 0;
  while (fgets(line, sizeof line, stdin)) {
    if (strncmp(line, "sweep", 5) != 0) continue;
    uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    for (size_t i = 0; i < n; i++) {
      ssize_t got = pread(fds[i], buf, BUFFER_BYTES, 0);
      if (got > 0) checksum += parse_numbers(buf, got);
    }
    uint64_t wall = now_ns(CLOCK_MONOTONIC) - w0, cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("%" PRIu64 " %" PRIu64 "\n", wall, cpu);
    fflush(stdout);
  }
  printf("checksum %" PRIu64 "\n", checksum); /* uses the sums: the parsing cannot be optimised away */
  return 0;
}
