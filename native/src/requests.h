/* The work done inside a namespace: each request is one syscall sequence that yields raw bytes or an
 * errno. Nothing here parses what the kernel says beyond netlink's own framing (where a dump ends). */
#ifndef NETNS_READER_REQUESTS_H
#define NETNS_READER_REQUESTS_H

#include <stddef.h>
#include "byte-buffer.h"

typedef enum {
  REQUEST_READ_FILE = 1, /* a file under /proc/thread-self/net/ (see request_path_allowed) */
  REQUEST_NETLINK = 2,   /* one or more netlink request messages, each answered in full, on one socket */
  REQUEST_XTABLES = 3,   /* legacy x_tables: every table in ip(6)_tables_names via getsockopt */
  REQUEST_TC = 4         /* REQUEST_NETLINK (a qdisc dump among the messages), then a filter dump of the
                            ingress hook of every device that has an ingress or clsact qdisc */
} request_kind;

typedef struct {
  request_kind kind;
  char *path;             /* REQUEST_READ_FILE */
  int protocol;           /* REQUEST_NETLINK, REQUEST_TC: NETLINK_ROUTE, NETLINK_NETFILTER */
  unsigned char *message; /* REQUEST_NETLINK, REQUEST_TC: complete nlmsghdr-framed messages, back to back */
  size_t message_len;
  int family;             /* REQUEST_XTABLES: 4 or 6 */

  int error;              /* result: 0, or the errno that stopped the request */
  byte_buffer result;     /* result: the bytes read (empty on error) */
} request;

/* What the requests of one job share, made on first use inside the job's namespace and closed before
 * the thread leaves it: a NETLINK_ROUTE socket (the link, neighbour and tc dumps ask one after the
 * other on it, as `ip` does) with its receive buffer, and a descriptor of /proc/thread-self/net/ (the
 * namespace's files are opened relative to it instead of walking /proc/thread-self/net from the root
 * for each). Start it with REQUEST_CONTEXT_INIT. */
typedef struct {
  int route_fd;
  unsigned char *scratch;
  int net_dir_fd;
} request_context;

#define REQUEST_CONTEXT_INIT {.route_fd = -1, .scratch = NULL, .net_dir_fd = -1}

/* Runs one request in the calling thread's current network namespace. */
void request_serve(request *r, int recv_timeout_ms, request_context *context);

/* Closes what the job's requests opened (call inside the namespace, before setns back). */
void request_context_close(request_context *context);

/* Only files under /proc/thread-self/net/ (plain components: no "", "." or "..") may be read, plus an
 * explicit list of exact paths (none today). */
int request_path_allowed(const char *path);

/* Checks that a netlink request buffer is a whole number of well-formed messages. */
int request_netlink_message_valid(const unsigned char *message, size_t len);

void request_free(request *r);

#endif
