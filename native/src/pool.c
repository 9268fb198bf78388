/* The only code that calls setns. A worker enters a job's namespace, serves its requests and goes back
 * to the exporter's own namespace before it takes the next job; a worker that cannot go back marks the
 * pool broken and exits, so no later job ever runs in a namespace it did not ask for. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How much nicer than the rest of the exporter the workers run. Two workers and the main thread share
 * the machine's cores during a scrape; at equal priority the main thread (which settles finished reads
 * and answers /healthz and Prometheus) waited for a CPU behind them (docs/performance.md, "Figures
 * behind the code"). Lower-priority workers still use every cycle the main thread does not. */
#define WORKER_NICE_INCREMENT 5

/* Enough for our small frames; the default 8 MiB per thread is only address space, but why reserve it. */
#define WORKER_STACK_SIZE (256 * 1024)

typedef struct {
  pool *pool;
  size_t index;
} worker_start;

void job_free(job *j) {
  if (!j) return;
  for (size_t i = 0; i < j->request_count; i++) request_free(&j->requests[i]);
  free(j->requests);
  free(j->ns_path);
  free(j);
}

static job *take_job_locked(pool *p) {
  job *j = p->head;
  if (j) {
    p->head = j->next;
    if (!p->head) p->tail = NULL;
    p->queued--;
    j->next = NULL;
    if (p->stopping) j->stage = JOB_CANCELLED;
  }
  return j;
}

static job *take_job(pool *p) {
  pthread_mutex_lock(&p->lock);
  while (!p->head && !p->stopping) pthread_cond_wait(&p->wake, &p->lock);
  job *j = take_job_locked(p);
  pthread_mutex_unlock(&p->lock);
  return j;
}

static job *take_job_nowait(pool *p) {
  pthread_mutex_lock(&p->lock);
  job *j = take_job_locked(p);
  pthread_mutex_unlock(&p->lock);
  return j;
}

/* Returns 0 when the thread is back in its own namespace (or never left it), -1 when it is stranded. */
static int run_job(pool *p, job *j) {
  int fd = open(j->ns_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    j->stage = JOB_OPEN_FAILED;
    j->stage_error = errno;
    return 0;
  }
  if (j->expected_dev || j->expected_ino) {
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_dev != j->expected_dev || st.st_ino != j->expected_ino) {
      j->stage = JOB_OPEN_FAILED;
      j->stage_error = ESTALE;
      close(fd);
      return 0;
    }
  }
  if (setns(fd, CLONE_NEWNET) < 0) {
    j->stage = JOB_SETNS_FAILED;
    j->stage_error = errno;
    close(fd);
    return 0;
  }
  close(fd);
  request_context context = REQUEST_CONTEXT_INIT;
  for (size_t i = 0; i < j->request_count; i++) request_serve(&j->requests[i], p->recv_timeout_ms, &context);
  request_context_close(&context);
#ifdef NETNS_READER_TEST_HOOKS
  int home = p->fail_return_for_test ? -1 : p->home_netns_fd;
#else
  int home = p->home_netns_fd;
#endif
  if (setns(home, CLONE_NEWNET) < 0) {
    int err = errno;
    atomic_store(&p->broken, 1);
    fprintf(stderr,
            "netns_reader: FATAL: worker thread %ld could not return to the exporter's network namespace "
            "(setns: %s); the native pool is broken and serves no more jobs\n",
            (long)syscall(SYS_gettid), strerror(err));
    return -1;
  }
  return 0;
}

static void *worker_main(void *arg) {
  worker_start start = *(worker_start *)arg;
  free(arg);
  pool *p = start.pool;

  /* signals belong to Node's main thread */
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL);
  atomic_store(&p->thread_ids[start.index], (int)syscall(SYS_gettid));
  /* Linux keeps a nice value per thread; who == 0 is the calling thread. Lowering priority needs no
   * privilege, and if it fails the worker simply runs at the exporter's priority. */
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, 0);
  if (errno == 0) (void)setpriority(PRIO_PROCESS, 0, nice + WORKER_NICE_INCREMENT);

  for (;;) {
    job *j = take_job(p);
    if (!j) break;
    int stranded = 0;
    if (j->stage == JOB_CANCELLED) {
      /* nothing to do: reported as cancelled */
    } else if (atomic_load(&p->broken)) {
      j->stage = JOB_POOL_BROKEN;
    } else {
      stranded = run_job(p, j) != 0;
    }
    p->done(p->done_context, j);
    if (stranded) {
      /* fail what is queued rather than leave it to time out (the other workers may be gone too);
       * failing a job touches no namespace, so this serves nothing */
      for (job *queued = take_job_nowait(p); queued; queued = take_job_nowait(p)) {
        if (queued->stage != JOB_CANCELLED) queued->stage = JOB_POOL_BROKEN;
        p->done(p->done_context, queued);
      }
      break;
    }
  }
  atomic_store(&p->thread_ids[start.index], 0);
  return NULL;
}

int pool_start(pool *p, size_t threads, int recv_timeout_ms, job_done_fn done, void *done_context) {
  memset(p, 0, sizeof *p);
  p->recv_timeout_ms = recv_timeout_ms;
  p->done = done;
  p->done_context = done_context;
  atomic_init(&p->broken, 0);
#ifdef NETNS_READER_TEST_HOOKS
  /* test builds only (test/support/test-hooks-addon.ts); the production addon has no such switch */
  p->fail_return_for_test = getenv("NETNS_READER_TEST_FAIL_RETURN") != NULL;
#endif
  /* thread-self, not self: the namespace of the thread creating the pool, which workers inherit */
  p->home_netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (p->home_netns_fd < 0) return errno;
  p->threads = calloc(threads, sizeof *p->threads);
  p->thread_ids = calloc(threads, sizeof *p->thread_ids);
  if (!p->threads || !p->thread_ids) {
    free(p->threads);
    free(p->thread_ids);
    close(p->home_netns_fd);
    return ENOMEM;
  }
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, WORKER_STACK_SIZE);
  int err = 0;
  for (size_t i = 0; i < threads; i++) {
    worker_start *start = malloc(sizeof *start);
    if (!start) {
      err = ENOMEM;
      break;
    }
    start->pool = p;
    start->index = i;
    err = pthread_create(&p->threads[i], &attr, worker_main, start);
    if (err) {
      free(start);
      break;
    }
    p->thread_count++;
  }
  pthread_attr_destroy(&attr);
  if (err) {
    pool_stop(p);
    return err;
  }
  return 0;
}

int pool_submit(pool *p, job *j) {
  pthread_mutex_lock(&p->lock);
  if (p->stopping) {
    pthread_mutex_unlock(&p->lock);
    return ESHUTDOWN;
  }
  if (atomic_load(&p->broken)) {
    pthread_mutex_unlock(&p->lock);
    return EOWNERDEAD;
  }
  j->next = NULL;
  if (p->tail)
    p->tail->next = j;
  else
    p->head = j;
  p->tail = j;
  p->queued++;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  return 0;
}

void pool_stop(pool *p) {
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (size_t i = 0; i < p->thread_count; i++) pthread_join(p->threads[i], NULL);
  /* every worker may have exited stranded; whatever is still queued is reported as cancelled */
  for (job *j = take_job(p); j; j = take_job(p)) {
    j->stage = JOB_CANCELLED;
    p->done(p->done_context, j);
  }
  p->thread_count = 0;
  free(p->threads);
  free(p->thread_ids);
  p->threads = NULL;
  p->thread_ids = NULL;
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  if (p->home_netns_fd >= 0) close(p->home_netns_fd);
  p->home_netns_fd = -1;
}
