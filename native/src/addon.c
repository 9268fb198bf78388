/* Node-API surface of the native reader. JavaScript builds the requests (file paths, netlink request
 * messages), this file copies them into a job for the pool, and results come back to JavaScript through
 * a threadsafe function as Buffers (or errno numbers). No parsing happens here.
 *
 *   createPool(threads, recvTimeoutMs, onJobDone) -> pool
 *   submit(pool, jobId, nsPath, requests, dev?, ino?)
 *                                                  requests: [readFile, path] | [netlink, protocol, Buffer]
 *                                                  | [xtables, 4|6] | [tc, protocol, Buffer], kinds from requestKinds;
 *                                                  dev/ino: the namespace discovery saw (checked with fstat)
 *   destroyPool(pool)
 *   poolStats(pool) -> { threadIds: number[], broken: boolean, queued: number }
 *   requestKinds, jobStages                        the request_kind and job_stage values by name, so
 *                                                  that JavaScript checks its own table against them
 *                                                  (readers/native/load-addon.ts)
 *   onJobsDone(data, meta)                         every job finished since the last call, in one call:
 *                                                  meta (Float64Array) holds per job: jobId, stage,
 *                                                  stageErrno, request count, then per request its
 *                                                  result length, or -errno; data (one Buffer) holds
 *                                                  the results' bytes job after job, each starting at
 *                                                  a multiple of 8 (so JavaScript can view them as
 *                                                  32-bit words).
 *
 * One call per batch, not per job: each call from C into JavaScript runs Node's callback scope
 * (microtasks, nextTick queue), and one Buffer per batch instead of one external Buffer per request
 * spares V8 thousands of finalizers per scrape (docs/performance.md, "Figures behind the code").
 */
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "requests.h"

#define MAX_THREADS 64
#define MAX_REQUESTS_PER_JOB 64
#define MAX_PATH_BYTES 4096
#define RESULT_ALIGN(n) (((n) + 7) & ~(size_t)7)

typedef struct {
  pool pool;
  napi_threadsafe_function on_job_done;
  /* finished jobs not yet handed to JavaScript; workers append, the main thread takes them all */
  pthread_mutex_t done_lock;
  job *done_head;
  job *done_tail;
  size_t pending; /* jobs submitted and not yet delivered; main thread only */
  int started;
  int destroyed;
  int owners; /* the JS handle and the threadsafe function; freed when both have finalized */
} addon_pool;

static void free_done_jobs(job *j) {
  while (j) {
    job *next = j->next;
    job_free(j);
    j = next;
  }
}

static void release_owner(addon_pool *ap) {
  if (--ap->owners == 0) {
    free_done_jobs(ap->done_head);
    pthread_mutex_destroy(&ap->done_lock);
    free(ap);
  }
}

#define NAPI_CALL(env, call)                                       \
  do {                                                             \
    if ((call) != napi_ok) {                                       \
      const napi_extended_error_info *info = NULL;                 \
      napi_get_last_error_info((env), &info);                      \
      napi_throw_error((env), NULL,                                \
                       info && info->error_message                 \
                           ? info->error_message                   \
                           : "netns_reader: Node-API call failed"); \
      return NULL;                                                 \
    }                                                              \
  } while (0)

/* Runs on the main thread once per batch of finished jobs. `env` is NULL when the function is being torn down. */
static void deliver_jobs(napi_env env, napi_value on_jobs_done, void *context, void *data) {
  addon_pool *ap = context;
  (void)data;
  pthread_mutex_lock(&ap->done_lock);
  job *batch = ap->done_head;
  ap->done_head = ap->done_tail = NULL;
  pthread_mutex_unlock(&ap->done_lock);
  if (env == NULL || batch == NULL) {
    free_done_jobs(batch);
    return;
  }

  size_t jobs = 0, meta_len = 0, data_len = 0;
  for (job *j = batch; j; j = j->next) {
    jobs++;
    meta_len += 4 + j->request_count;
    if (j->stage != JOB_ENTERED) continue;
    for (size_t i = 0; i < j->request_count; i++)
      if (!j->requests[i].error && j->requests[i].result.len)
        data_len = RESULT_ALIGN(data_len) + j->requests[i].result.len;
  }
  napi_value argv[2], meta_buffer;
  void *bytes = NULL, *meta_bytes = NULL;
  if (napi_create_buffer(env, data_len, &bytes, &argv[0]) != napi_ok ||
      napi_create_arraybuffer(env, meta_len * sizeof(double), &meta_bytes, &meta_buffer) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, meta_len, meta_buffer, 0, &argv[1]) != napi_ok) {
    free_done_jobs(batch);
    return; /* out of memory in V8: the reads time out on the JavaScript side */
  }
  double *meta = meta_bytes;
  size_t at = 0;
  for (job *j = batch; j; j = j->next) {
    *meta++ = j->id;
    *meta++ = (double)j->stage;
    *meta++ = (double)j->stage_error;
    *meta++ = (double)j->request_count;
    for (size_t i = 0; i < j->request_count; i++) {
      request *r = &j->requests[i];
      if (j->stage != JOB_ENTERED) {
        *meta++ = 0;
      } else if (r->error) {
        *meta++ = -(double)r->error;
      } else {
        *meta++ = (double)r->result.len;
        if (r->result.len) {
          at = RESULT_ALIGN(at);
          memcpy((unsigned char *)bytes + at, r->result.data, r->result.len);
          at += r->result.len;
        }
      }
    }
  }
  free_done_jobs(batch);

  if (ap->pending >= jobs) ap->pending -= jobs;
  else ap->pending = 0;
  if (ap->pending == 0 && !ap->destroyed) napi_unref_threadsafe_function(env, ap->on_job_done);

  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, on_jobs_done, 2, argv, NULL);
}

/* Runs on a worker thread: queues the job for the next batch and wakes the main thread only when the
 * batch was empty (a wake-up already on its way will take this job too). Never blocks on JavaScript. */
static void job_done(void *context, job *j) {
  addon_pool *ap = context;
  j->next = NULL;
  pthread_mutex_lock(&ap->done_lock);
  int was_empty = ap->done_head == NULL;
  if (ap->done_tail) ap->done_tail->next = j;
  else ap->done_head = j;
  ap->done_tail = j;
  pthread_mutex_unlock(&ap->done_lock);
  /* on failure the function is closing: the batch is freed with the pool */
  if (was_empty) napi_call_threadsafe_function(ap->on_job_done, NULL, napi_tsfn_nonblocking);
}

static void stop_pool(napi_env env, addon_pool *ap) {
  if (ap->destroyed) return;
  ap->destroyed = 1;
  if (ap->started) pool_stop(&ap->pool);
  napi_release_threadsafe_function(ap->on_job_done, napi_tsfn_release);
}

static void finalize_pool(napi_env env, void *data, void *hint) {
  addon_pool *ap = data;
  stop_pool(env, ap);
  release_owner(ap);
}

static void finalize_tsfn(napi_env env, void *data, void *hint) { release_owner(data); }

static addon_pool *unwrap_pool(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "netns_reader: expected a pool");
    return NULL;
  }
  return data;
}

static napi_value create_pool(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t threads = 0, recv_timeout_ms = 0;
  napi_valuetype callback_type = napi_undefined;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &threads) != napi_ok ||
      napi_get_value_int32(env, argv[1], &recv_timeout_ms) != napi_ok ||
      napi_typeof(env, argv[2], &callback_type) != napi_ok || callback_type != napi_function || threads < 1 ||
      threads > MAX_THREADS || recv_timeout_ms < 1) {
    napi_throw_type_error(env, NULL, "netns_reader: createPool(threads 1..64, recvTimeoutMs > 0, onJobsDone)");
    return NULL;
  }
  addon_pool *ap = calloc(1, sizeof *ap);
  if (!ap) {
    napi_throw_error(env, NULL, "netns_reader: out of memory");
    return NULL;
  }
  ap->owners = 2;
  pthread_mutex_init(&ap->done_lock, NULL);
  napi_value name;
  napi_create_string_utf8(env, "netns_reader", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[2], NULL, name, 0, 1, ap, finalize_tsfn, ap, deliver_jobs,
                                      &ap->on_job_done) != napi_ok) {
    pthread_mutex_destroy(&ap->done_lock);
    free(ap);
    napi_throw_error(env, NULL, "netns_reader: cannot create threadsafe function");
    return NULL;
  }
  /* only pending jobs keep the event loop alive */
  napi_unref_threadsafe_function(env, ap->on_job_done);
  int err = pool_start(&ap->pool, (size_t)threads, recv_timeout_ms, job_done, ap);
  if (err) {
    ap->destroyed = 1;
    ap->owners = 1; /* no JS handle will exist; the threadsafe function's finalizer frees `ap` */
    napi_release_threadsafe_function(ap->on_job_done, napi_tsfn_release);
    char message[128];
    snprintf(message, sizeof message, "netns_reader: cannot start pool: %s", strerror(err));
    napi_throw_error(env, NULL, message);
    return NULL;
  }
  ap->started = 1;
  napi_value external;
  NAPI_CALL(env, napi_create_external(env, ap, finalize_pool, NULL, &external));
  return external;
}

static char *copy_string(napi_env env, napi_value value, size_t max_bytes) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok || len == 0 || len > max_bytes) return NULL;
  char *text = malloc(len + 1);
  if (!text) return NULL;
  napi_get_value_string_utf8(env, value, text, len + 1, &len);
  if (strlen(text) != len) { /* an embedded NUL would make the C path differ from the JS one */
    free(text);
    return NULL;
  }
  return text;
}

/* Fills `r` from a JS request tuple; returns a reason string on bad input. */
static const char *read_request(napi_env env, napi_value tuple, request *r) {
  napi_value element;
  int32_t kind = 0;
  if (napi_get_element(env, tuple, 0, &element) != napi_ok || napi_get_value_int32(env, element, &kind) != napi_ok)
    return "request must be an array starting with its kind";
  r->kind = (request_kind)kind;
  switch (kind) {
    case REQUEST_READ_FILE:
      if (napi_get_element(env, tuple, 1, &element) != napi_ok) return "file request needs a path";
      r->path = copy_string(env, element, MAX_PATH_BYTES);
      if (!r->path) return "file request path must be a non-empty string without NUL";
      if (!request_path_allowed(r->path))
        return "file request path must be a file under /proc/thread-self/net/ (no empty, . or .. component)";
      return NULL;
    case REQUEST_NETLINK:
    case REQUEST_TC: {
      int32_t protocol = -1;
      bool is_buffer = false;
      void *bytes = NULL;
      size_t len = 0;
      if (napi_get_element(env, tuple, 1, &element) != napi_ok || napi_get_value_int32(env, element, &protocol) != napi_ok ||
          protocol < 0)
        return "netlink request needs a protocol number";
      r->protocol = protocol;
      if (napi_get_element(env, tuple, 2, &element) != napi_ok || napi_is_buffer(env, element, &is_buffer) != napi_ok ||
          !is_buffer || napi_get_buffer_info(env, element, &bytes, &len) != napi_ok)
        return "netlink request needs a Buffer of messages";
      if (!request_netlink_message_valid(bytes, len)) return "netlink request messages are malformed";
      r->message = malloc(len);
      if (!r->message) return "out of memory";
      memcpy(r->message, bytes, len);
      r->message_len = len;
      return NULL;
    }
    case REQUEST_XTABLES: {
      int32_t family = 0;
      if (napi_get_element(env, tuple, 1, &element) != napi_ok || napi_get_value_int32(env, element, &family) != napi_ok ||
          (family != 4 && family != 6))
        return "xtables request needs family 4 or 6";
      r->family = family;
      return NULL;
    }
    default:
      return "unknown request kind";
  }
}

static napi_value submit(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "netns_reader: submit(pool, jobId, nsPath, requests, dev?, ino?)");
    return NULL;
  }
  addon_pool *ap = unwrap_pool(env, argv[0]);
  if (!ap) return NULL;
  if (ap->destroyed) {
    napi_throw_error(env, "ESHUTDOWN", "netns_reader: pool is destroyed");
    return NULL;
  }
  job *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, NULL, "netns_reader: out of memory");
    return NULL;
  }
  const char *problem = NULL;
  uint32_t count = 0;
  bool is_array = false;
  if (napi_get_value_double(env, argv[1], &j->id) != napi_ok) problem = "jobId must be a number";
  if (!problem && !(j->ns_path = copy_string(env, argv[2], MAX_PATH_BYTES))) problem = "nsPath must be a non-empty string";
  if (!problem && (napi_is_array(env, argv[3], &is_array) != napi_ok || !is_array ||
                   napi_get_array_length(env, argv[3], &count) != napi_ok || count > MAX_REQUESTS_PER_JOB))
    problem = "requests must be an array of at most 64 requests";
  double dev = 0, ino = 0;
  if (!problem && argc >= 6 &&
      (napi_get_value_double(env, argv[4], &dev) != napi_ok || napi_get_value_double(env, argv[5], &ino) != napi_ok ||
       dev < 0 || ino < 0))
    problem = "dev and ino must be non-negative numbers";
  j->expected_dev = (unsigned long long)dev;
  j->expected_ino = (unsigned long long)ino;
  if (!problem && count > 0 && !(j->requests = calloc(count, sizeof *j->requests))) problem = "out of memory";
  for (uint32_t i = 0; !problem && i < count; i++) {
    napi_value tuple;
    j->request_count = i + 1;
    if (napi_get_element(env, argv[3], i, &tuple) != napi_ok) problem = "cannot read request";
    else problem = read_request(env, tuple, &j->requests[i]);
  }
  if (problem) {
    job_free(j);
    char message[160];
    snprintf(message, sizeof message, "netns_reader: %s", problem);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  int err = pool_submit(&ap->pool, j);
  if (err) {
    job_free(j);
    if (err == EOWNERDEAD)
      napi_throw_error(env, "EOWNERDEAD", "netns_reader: pool is broken (a thread could not return to its namespace)");
    else
      napi_throw_error(env, "ESHUTDOWN", "netns_reader: pool is stopping");
    return NULL;
  }
  if (ap->pending++ == 0) napi_ref_threadsafe_function(env, ap->on_job_done);
  return NULL;
}

static napi_value destroy_pool(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  addon_pool *ap = argc ? unwrap_pool(env, argv[0]) : NULL;
  if (!ap) return NULL;
  stop_pool(env, ap);
  return NULL;
}

static napi_value pool_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  addon_pool *ap = argc ? unwrap_pool(env, argv[0]) : NULL;
  if (!ap) return NULL;
  napi_value stats, ids, broken, queued;
  NAPI_CALL(env, napi_create_object(env, &stats));
  NAPI_CALL(env, napi_create_array(env, &ids));
  size_t queued_jobs = 0;
  if (!ap->destroyed) {
    uint32_t n = 0;
    for (size_t i = 0; i < ap->pool.thread_count; i++) {
      int tid = atomic_load(&ap->pool.thread_ids[i]);
      if (tid == 0) continue;
      napi_value id;
      napi_create_int32(env, tid, &id);
      napi_set_element(env, ids, n++, id);
    }
    pthread_mutex_lock(&ap->pool.lock);
    queued_jobs = ap->pool.queued;
    pthread_mutex_unlock(&ap->pool.lock);
  }
  napi_get_boolean(env, ap->destroyed ? false : atomic_load(&ap->pool.broken) != 0, &broken);
  napi_create_double(env, (double)queued_jobs, &queued);
  napi_set_named_property(env, stats, "threadIds", ids);
  napi_set_named_property(env, stats, "broken", broken);
  napi_set_named_property(env, stats, "queued", queued);
  return stats;
}

typedef struct {
  const char *name;
  int value;
} named_value;

static const named_value REQUEST_KINDS[] = {
    {"readFile", REQUEST_READ_FILE},
    {"netlink", REQUEST_NETLINK},
    {"xtables", REQUEST_XTABLES},
    {"tc", REQUEST_TC},
};

static const named_value JOB_STAGES[] = {
    {"entered", JOB_ENTERED},
    {"openFailed", JOB_OPEN_FAILED},
    {"setnsFailed", JOB_SETNS_FAILED},
    {"poolBroken", JOB_POOL_BROKEN},
    {"cancelled", JOB_CANCELLED},
};

/* A frozen object of name -> value. */
static napi_value named_values(napi_env env, const named_value *values, size_t count) {
  napi_value table;
  NAPI_CALL(env, napi_create_object(env, &table));
  for (size_t i = 0; i < count; i++) {
    napi_value value;
    NAPI_CALL(env, napi_create_int32(env, values[i].value, &value));
    NAPI_CALL(env, napi_set_named_property(env, table, values[i].name, value));
  }
  NAPI_CALL(env, napi_object_freeze(env, table));
  return table;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value request_kinds = named_values(env, REQUEST_KINDS, sizeof REQUEST_KINDS / sizeof REQUEST_KINDS[0]);
  napi_value job_stages = named_values(env, JOB_STAGES, sizeof JOB_STAGES / sizeof JOB_STAGES[0]);
  if (!request_kinds || !job_stages) return NULL;
  napi_property_descriptor properties[] = {
      {"createPool", NULL, create_pool, NULL, NULL, NULL, napi_enumerable, NULL},
      {"submit", NULL, submit, NULL, NULL, NULL, napi_enumerable, NULL},
      {"destroyPool", NULL, destroy_pool, NULL, NULL, NULL, napi_enumerable, NULL},
      {"poolStats", NULL, pool_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"requestKinds", NULL, NULL, NULL, NULL, request_kinds, napi_enumerable, NULL},
      {"jobStages", NULL, NULL, NULL, NULL, job_stages, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
