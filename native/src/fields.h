/*
 * The fields of one sample row, in the order of server/monitor/sampler/fields.ts (the wire
 * format). The loader refuses an addon whose list differs from the TypeScript one, and
 * fields.test.ts compares this header with it, so keep the two in step: append at the end.
 */
#ifndef CGDASH_FIELDS_H
#define CGDASH_FIELDS_H

#define CGDASH_FIELDS(X)                                         \
  X(CPU_USAGE_USEC, "cpu.usage_usec")                            \
  X(CPU_USER_USEC, "cpu.user_usec")                              \
  X(CPU_SYSTEM_USEC, "cpu.system_usec")                          \
  X(CPU_NR_PERIODS, "cpu.nr_periods")                            \
  X(CPU_NR_THROTTLED, "cpu.nr_throttled")                        \
  X(CPU_THROTTLED_USEC, "cpu.throttled_usec")                    \
  X(MEMORY_CURRENT, "memory.current")                            \
  X(MEMORY_ANON, "memory.anon")                                  \
  X(MEMORY_FILE, "memory.file")                                  \
  X(MEMORY_KERNEL, "memory.kernel")                              \
  X(MEMORY_SWAP_CURRENT, "memory.swap.current")                  \
  X(MEMORY_PGFAULT, "memory.pgfault")                            \
  X(MEMORY_PGMAJFAULT, "memory.pgmajfault")                      \
  X(MEMORY_EVENTS_OOM, "memory.events.oom")                      \
  X(MEMORY_EVENTS_OOM_KILL, "memory.events.oom_kill")            \
  X(MEMORY_EVENTS_HIGH, "memory.events.high")                    \
  X(MEMORY_EVENTS_MAX, "memory.events.max")                      \
  X(IO_RBYTES, "io.rbytes")                                      \
  X(IO_WBYTES, "io.wbytes")                                      \
  X(IO_RIOS, "io.rios")                                          \
  X(IO_WIOS, "io.wios")                                          \
  X(PIDS_CURRENT, "pids.current")                                \
  X(PSI_CPU_SOME_TOTAL_USEC, "cpu.pressure.some.total")          \
  X(PSI_MEMORY_SOME_TOTAL_USEC, "memory.pressure.some.total")    \
  X(PSI_MEMORY_FULL_TOTAL_USEC, "memory.pressure.full.total")    \
  X(PSI_IO_SOME_TOTAL_USEC, "io.pressure.some.total")            \
  X(PSI_IO_FULL_TOTAL_USEC, "io.pressure.full.total")

enum cgd_field {
#define CGD_FIELD_ENUM(id, name) F_##id,
  CGDASH_FIELDS(CGD_FIELD_ENUM)
#undef CGD_FIELD_ENUM
  FIELD_COUNT
};

_Static_assert(FIELD_COUNT <= 32, "the present mask is 32 bits");

#define FIELD_BIT(f) (UINT32_C(1) << (f))

/*
 * The kinds of file, in the order of server/monitor/sampler/kinds.ts. A kind is a parser; which
 * file of which directory is read as which kind is the plan's business (plan.ts).
 */
#define CGDASH_KINDS(X)                                                  \
  X(V1_CPUACCT_USAGE, "v1.cpuacct.usage")                                \
  X(V1_CPUACCT_STAT, "v1.cpuacct.stat")                                  \
  X(V1_CPU_STAT, "v1.cpu.stat")                                          \
  X(V1_MEMORY_USAGE_IN_BYTES, "v1.memory.usage_in_bytes")                \
  X(V1_MEMORY_STAT, "v1.memory.stat")                                    \
  X(V1_MEMORY_KMEM_USAGE_IN_BYTES, "v1.memory.kmem.usage_in_bytes")      \
  X(V1_MEMORY_MEMSW_USAGE_IN_BYTES, "v1.memory.memsw.usage_in_bytes")    \
  X(V1_MEMORY_FAILCNT, "v1.memory.failcnt")                              \
  X(V1_MEMORY_OOM_CONTROL, "v1.memory.oom_control")                      \
  X(V1_BLKIO_IO_SERVICE_BYTES, "v1.blkio.io_service_bytes")              \
  X(V1_BLKIO_IO_SERVICED, "v1.blkio.io_serviced")                        \
  X(PIDS_CURRENT, "pids.current")                                        \
  X(V2_CPU_STAT, "v2.cpu.stat")                                          \
  X(V2_MEMORY_CURRENT, "v2.memory.current")                              \
  X(V2_MEMORY_STAT, "v2.memory.stat")                                    \
  X(V2_MEMORY_SWAP_CURRENT, "v2.memory.swap.current")                    \
  X(V2_MEMORY_EVENTS, "v2.memory.events")                                \
  X(V2_IO_STAT, "v2.io.stat")                                            \
  X(V2_CPU_PRESSURE, "v2.cpu.pressure")                                  \
  X(V2_MEMORY_PRESSURE, "v2.memory.pressure")                            \
  X(V2_IO_PRESSURE, "v2.io.pressure")

enum cgd_kind {
#define CGD_KIND_ENUM(id, name) K_##id,
  CGDASH_KINDS(CGD_KIND_ENUM)
#undef CGD_KIND_ENUM
  KIND_COUNT
};

extern const char *const cgd_field_names[FIELD_COUNT];
extern const char *const cgd_kind_names[KIND_COUNT];

#endif
