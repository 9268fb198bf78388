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

/* Runs one request in the calling thread's current network namespace. */
void request_serve(request *r, int recv_timeout_ms);

/* Only files under /proc/thread-self/net/ (plain components: no "", "." or "..") may be read, plus an
 * explicit list of exact paths (none today). */
int request_path_allowed(const char *path);

/* Checks that a netlink request buffer is a whole number of well-formed messages. */
int request_netlink_message_valid(const unsigned char *message, size_t len);

void request_free(request *r);

#endif
