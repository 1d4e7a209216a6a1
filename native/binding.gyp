{
  "targets": [
    {
      "target_name": "cgdash_sampler",
      "sources": ["src/addon.c", "src/sampler.c", "src/parse.c"],
      "defines": ["NAPI_VERSION=8", "_FORTIFY_SOURCE=2"],
      "cflags": [
        "-std=gnu11",
        "-O2",
        "-fstack-protector-strong",
        "-fPIC",
        "-Wall",
        "-Wextra",
        "-Werror=format-security"
      ],
      "cflags!": ["-O3"],
      "ldflags": ["-Wl,-z,relro,-z,now"]
    }
  ]
}
