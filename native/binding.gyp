{
  "targets": [
    {
      "target_name": "netns_reader",
      "sources": ["src/addon.c", "src/pool.c", "src/requests.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "libraries": ["-lpthread"]
    }
  ]
}
