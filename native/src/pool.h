/* A few pthreads of our own that enter namespaces. Never libuv's pool (its threads run fs and dns work
 * for the whole process and must never sit in a foreign namespace) and never the main thread. */
#ifndef NETNS_READER_POOL_H
#define NETNS_READER_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "requests.h"

/* Where a job stopped before its requests ran; 0 means it entered the namespace and ran them all. */
typedef enum {
  JOB_ENTERED = 0,
  JOB_OPEN_FAILED = 1,  /* open(ns path): ENOENT means the namespace vanished, ESTALE that the path
                           now names another namespace than discovery saw */
  JOB_SETNS_FAILED = 2, /* setns: EPERM means we may not enter */
  JOB_POOL_BROKEN = 3,  /* a thread could not return home earlier; nothing is served any more */
  JOB_CANCELLED = 4     /* the pool was stopped while the job was queued */
} job_stage;

typedef struct job {
  struct job *next;
  double id;
  char *ns_path;
  /* identity discovery saw (0, 0: not checked); a path now naming another namespace fails with ESTALE */
  unsigned long long expected_dev;
  unsigned long long expected_ino;
  request *requests;
  size_t request_count;
  job_stage stage;
  int stage_error;
} job;

void job_free(job *j);

/* Called on a worker thread when a job is finished; takes ownership of the job. */
typedef void (*job_done_fn)(void *context, job *j);

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  job *head;
  job *tail;
  size_t queued;
  int stopping;
  atomic_int broken;
  int home_netns_fd; /* our own namespace, opened once on the creating thread */
  int recv_timeout_ms;
  size_t thread_count;
  pthread_t *threads;
  atomic_int *thread_ids; /* kernel tids, for tests that read /proc/self/task/<tid>/ns/net */
  job_done_fn done;
  void *done_context;
#ifdef NETNS_READER_TEST_HOOKS
  /* test builds only: NETNS_READER_TEST_FAIL_RETURN set at start makes returning home fail, so tests
   * can see the pool break (test/support/test-hooks-addon.ts compiles with NETNS_READER_TEST_HOOKS) */
  int fail_return_for_test;
#endif
} pool;

/* Returns 0 or an errno; on failure nothing is left running or open. */
int pool_start(pool *p, size_t threads, int recv_timeout_ms, job_done_fn done, void *done_context);

/* Queues a job (ownership passes to the pool); returns 0, ESHUTDOWN when the pool is stopping, or
 * EOWNERDEAD when it is broken. */
int pool_submit(pool *p, job *j);

/* Cancels queued jobs, waits for running ones and joins every thread. */
void pool_stop(pool *p);

#endif
