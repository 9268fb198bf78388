/* Each request is served in whatever network namespace the calling thread is in (the pool has already
 * entered it). Sockets are created here, after setns, because a socket belongs to the namespace it was
 * created in; every descriptor is closed before returning. */
#include "requests.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

/* A netlink dump skb is at most 32 KiB (SKB_WITH_OVERHEAD(32768)) unless a family asks for more;
 * 64 KiB per recvmsg leaves room, and MSG_TRUNC is still checked. Received into a scratch buffer and
 * appended to the result: receiving straight into the result made it reserve 64 KiB per recvmsg, which
 * pushed it past malloc's mmap threshold and cost an mmap/munmap with page faults per job. */
#define NETLINK_RECV_SIZE 65536
/* A dump marked NLM_F_DUMP_INTR raced with a change; it is repeated this many times before giving up. */
#define NETLINK_DUMP_ATTEMPTS 3
/* GET_ENTRIES fails with EAGAIN when the table changed size after GET_INFO; retried this many times. */
#define XTABLES_ATTEMPTS 5

/* Header of the REQUEST_XTABLES result: the struct layout the parser needs, so that the bytes describe
 * themselves instead of the TypeScript side assuming this machine's ABI. All fields in host order. */
#define XTABLES_MAGIC 0x31425458u /* "XTB1" read little-endian */

/* The namespace's own procfs view: /proc/thread-self/net/ is the net directory of the namespace the
 * worker thread has entered (thread-self, not self: setns moved only this thread). Nothing under it is
 * a symlink, so a path made of plain components cannot leave it. */
#define NET_DIR "/proc/thread-self/net/"

/* Files outside NET_DIR that may be read, each by its exact path. Empty: the native reader reads no
 * sysctl today (the conntrack count comes from stat/nf_conntrack, the limit is read by Node in the
 * exporter's own namespace); a sysctl a future request needs is added here by name. */
static const char *const allowed_files[] = {NULL};

int request_path_allowed(const char *path) {
  for (size_t i = 0; allowed_files[i] != NULL; i++)
    if (strcmp(path, allowed_files[i]) == 0) return 1;
  size_t n = strlen(NET_DIR);
  if (strncmp(path, NET_DIR, n) != 0) return 0;
  /* one or more components, each non-empty (no "//", no trailing "/") and neither "." nor ".." */
  const char *component = path + n;
  for (;;) {
    const char *slash = strchr(component, '/');
    size_t len = slash ? (size_t)(slash - component) : strlen(component);
    if (len == 0) return 0;
    if (component[0] == '.' && (len == 1 || (len == 2 && component[1] == '.'))) return 0;
    if (!slash) return 1;
    component = slash + 1;
  }
}

int request_netlink_message_valid(const unsigned char *message, size_t len) {
  size_t offset = 0;
  if (len == 0) return 0;
  while (offset < len) {
    if (len - offset < sizeof(struct nlmsghdr)) return 0;
    struct nlmsghdr h;
    memcpy(&h, message + offset, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - offset) return 0;
    offset += NLMSG_ALIGN(h.nlmsg_len);
  }
  return offset == NLMSG_ALIGN(len);
}

/* Opens a file the request names: one under NET_DIR relative to the job's descriptor of that directory
 * (opened on first use), any other (an allowed exact path) as it is. */
static int open_request_file(const char *path, request_context *context) {
  size_t n = strlen(NET_DIR);
  if (strncmp(path, NET_DIR, n) != 0) return open(path, O_RDONLY | O_CLOEXEC);
  if (context->net_dir_fd < 0) {
    context->net_dir_fd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (context->net_dir_fd < 0) return -1;
  }
  return openat(context->net_dir_fd, path + n, O_RDONLY | O_CLOEXEC);
}

/* Reads to end of file in a loop: procfs reports sizes of 0 or 4096, so stat() cannot size the read. */
static int read_whole_file(const char *path, byte_buffer *out, request_context *context) {
  int fd = open_request_file(path, context);
  if (fd < 0) return errno;
  for (;;) {
    if (byte_buffer_reserve(out, 4096)) {
      close(fd);
      return ENOMEM;
    }
    ssize_t n = read(fd, out->data + out->len, out->cap - out->len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return err;
    }
    if (n == 0) break;
    out->len += (size_t)n;
  }
  close(fd);
  return 0;
}

/* Sends one request message and appends every reply message up to and including the one that ends
 * it: NLMSG_DONE for a dump, NLMSG_ERROR, or a single message without NLM_F_MULTI. */
static int netlink_exchange(int fd, const struct nlmsghdr *req, unsigned char *scratch, byte_buffer *out) {
  size_t start = out->len;
  for (int attempt = 0; attempt < NETLINK_DUMP_ATTEMPTS; attempt++) {
    out->len = start;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t sent;
    do {
      sent = sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno;

    int interrupted = 0;
    int done = 0;
    while (!done) {
      struct iovec iov = {.iov_base = scratch, .iov_len = NETLINK_RECV_SIZE};
      struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
      ssize_t n = recvmsg(fd, &mh, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        /* SO_RCVTIMEO expired: the kernel never finished the answer */
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? ETIMEDOUT : errno;
      }
      if (mh.msg_flags & MSG_TRUNC) return EMSGSIZE;
      if (n == 0) return EPIPE;

      int left = (int)n;
      for (const struct nlmsghdr *h = (const struct nlmsghdr *)iov.iov_base; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = 1;
        if (h->nlmsg_type == NLMSG_DONE) {
          /* a dump that failed half way reports its error in NLMSG_DONE's payload */
          int status = 0;
          if (h->nlmsg_len >= NLMSG_LENGTH(sizeof status)) memcpy(&status, NLMSG_DATA(h), sizeof status);
          if (status < 0) return -status;
          done = 1;
          break;
        }
        if (h->nlmsg_type == NLMSG_ERROR) {
          struct nlmsgerr e;
          if (h->nlmsg_len < NLMSG_LENGTH(sizeof e)) return EPROTO;
          memcpy(&e, NLMSG_DATA(h), sizeof e);
          if (e.error != 0) return -e.error;
          done = 1; /* an acknowledgement */
          break;
        }
        if (!(h->nlmsg_flags & NLM_F_MULTI)) {
          done = 1;
          break;
        }
      }
      if (byte_buffer_append(out, scratch, (size_t)n)) return ENOMEM;
    }
    if (!interrupted) return 0;
  }
  return EAGAIN;
}

/* The ifindexes of the RTM_NEWQDISC messages in `data` whose parent is TC_H_INGRESS: the ingress and
 * clsact qdiscs (both hang there). Only the fixed struct tcmsg is read; the attributes are left to the
 * TypeScript parser. */
static int ingress_ifindexes(const unsigned char *data, size_t len, int **out, size_t *count) {
  *out = NULL;
  *count = 0;
  size_t cap = 0;
  int left = (int)len;
  for (const struct nlmsghdr *h = (const struct nlmsghdr *)data; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type != RTM_NEWQDISC || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct tcmsg))) continue;
    struct tcmsg t;
    memcpy(&t, NLMSG_DATA(h), sizeof t);
    if (t.tcm_parent != TC_H_INGRESS) continue;
    if (*count == cap) {
      size_t grown = cap ? 2 * cap : 8;
      int *bigger = realloc(*out, grown * sizeof **out);
      if (!bigger) {
        free(*out);
        *out = NULL;
        return ENOMEM;
      }
      *out = bigger;
      cap = grown;
    }
    (*out)[(*count)++] = t.tcm_ifindex;
  }
  return 0;
}

/* After the messages of a REQUEST_TC: one RTM_GETTFILTER dump per ingress device, with the parent
 * `tc filter show dev X ingress` asks for (TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), which names the
 * ingress block of an ingress qdisc and of a clsact one alike). A device deleted since the qdisc dump
 * answers with an empty dump. The kernel dumps filters of one device only (tc_dump_tfilter). */
static int ingress_filter_dumps(int fd, unsigned char *scratch, byte_buffer *out) {
  int *ifindexes = NULL;
  size_t count = 0;
  int err = ingress_ifindexes(out->data, out->len, &ifindexes, &count);
  for (size_t i = 0; !err && i < count; i++) {
    struct {
      struct nlmsghdr h;
      struct tcmsg t;
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.t);
    req.h.nlmsg_type = RTM_GETTFILTER;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = (unsigned int)(100 + i);
    req.t.tcm_family = AF_UNSPEC;
    req.t.tcm_ifindex = ifindexes[i];
    req.t.tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    err = netlink_exchange(fd, &req.h, scratch, out);
  }
  free(ifindexes);
  return err;
}

static int open_netlink(int protocol, int recv_timeout_ms) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return -errno;
  struct timeval timeout = {.tv_sec = recv_timeout_ms / 1000, .tv_usec = (recv_timeout_ms % 1000) * 1000};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

static int serve_netlink(request *r, int recv_timeout_ms, request_context *context) {
  if (!context->scratch) {
    context->scratch = malloc(NETLINK_RECV_SIZE);
    if (!context->scratch) return ENOMEM;
  }
  /* NETLINK_ROUTE dumps of one job share the context's socket; any other protocol gets its own */
  int shared = r->protocol == NETLINK_ROUTE;
  int fd = shared ? context->route_fd : -1;
  if (fd < 0) {
    fd = open_netlink(r->protocol, recv_timeout_ms);
    if (fd < 0) return -fd;
    if (shared) context->route_fd = fd;
  }
  int err = 0;
  size_t offset = 0;
  while (!err && offset < r->message_len) {
    const struct nlmsghdr *req = (const struct nlmsghdr *)(r->message + offset);
    err = netlink_exchange(fd, req, context->scratch, &r->result);
    offset += NLMSG_ALIGN(req->nlmsg_len);
  }
  if (!err && r->kind == REQUEST_TC) err = ingress_filter_dumps(fd, context->scratch, &r->result);
  /* after a failure the socket may still hold the rest of an answer: the next request gets a new one */
  if (!shared || err) {
    close(fd);
    if (shared) context->route_fd = -1;
  }
  return err;
}

/* ipt_getinfo and ip6t_getinfo share one layout, as do the get_entries headers; only the socket level,
 * option numbers and entry layout differ between the families. */
static int xtables_read_table(int sock, int level, const char *name, byte_buffer *out) {
  size_t name_len = strlen(name); /* the caller checked it fits XT_TABLE_MAXNAMELEN with its NUL */
  for (int attempt = 0; attempt < XTABLES_ATTEMPTS; attempt++) {
    struct ipt_getinfo info;
    memset(&info, 0, sizeof info);
    memcpy(info.name, name, name_len);
    socklen_t len = sizeof info;
    if (getsockopt(sock, level, IPT_SO_GET_INFO, &info, &len) < 0) return errno;

    size_t total = offsetof(struct ipt_get_entries, entrytable) + info.size;
    struct ipt_get_entries *entries = calloc(1, total);
    if (!entries) return ENOMEM;
    memcpy(entries->name, name, name_len);
    entries->size = info.size;
    len = (socklen_t)total;
    if (getsockopt(sock, level, IPT_SO_GET_ENTRIES, entries, &len) < 0) {
      int err = errno;
      free(entries);
      if (err == EAGAIN) continue;
      return err;
    }
    int err = byte_buffer_append_u32(out, (unsigned int)name_len);
    if (!err) err = byte_buffer_append(out, name, name_len);
    if (!err) err = byte_buffer_append_u32(out, (unsigned int)sizeof info);
    if (!err) err = byte_buffer_append(out, &info, sizeof info);
    if (!err) err = byte_buffer_append_u32(out, info.size);
    if (!err) err = byte_buffer_append(out, entries->entrytable, info.size);
    free(entries);
    return err;
  }
  return EAGAIN;
}

static int xtables_append_header(int family, byte_buffer *out) {
  unsigned int header[8];
  header[0] = XTABLES_MAGIC;
  header[1] = (unsigned int)family;
  if (family == 6) {
    header[2] = sizeof(struct ip6t_entry);
    header[3] = offsetof(struct ip6t_entry, ipv6.flags);
    header[4] = offsetof(struct ip6t_entry, target_offset);
    header[5] = offsetof(struct ip6t_entry, next_offset);
    header[6] = offsetof(struct ip6t_entry, counters);
    header[7] = IP6T_F_GOTO;
  } else {
    header[2] = sizeof(struct ipt_entry);
    header[3] = offsetof(struct ipt_entry, ip.flags);
    header[4] = offsetof(struct ipt_entry, target_offset);
    header[5] = offsetof(struct ipt_entry, next_offset);
    header[6] = offsetof(struct ipt_entry, counters);
    header[7] = IPT_F_GOTO;
  }
  return byte_buffer_append(out, header, sizeof header);
}

/* Lists tables from ip(6)_tables_names first: asking for a table that is not listed would make the
 * kernel instantiate it in this namespace. A table that disappears between the listing and the
 * getsockopt (ENOENT) is skipped, as if it had not been listed. */
static int serve_xtables(request *r, request_context *context) {
  byte_buffer names = {0};
  const char *names_path =
      r->family == 6 ? "/proc/thread-self/net/ip6_tables_names" : "/proc/thread-self/net/ip_tables_names";
  int err = read_whole_file(names_path, &names, context);
  if (err) {
    byte_buffer_free(&names);
    return err;
  }
  err = xtables_append_header(r->family, &r->result);
  if (err || names.len == 0) {
    byte_buffer_free(&names);
    return err;
  }
  int sock = socket(r->family == 6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (sock < 0) {
    err = errno;
    byte_buffer_free(&names);
    return err;
  }
  int level = r->family == 6 ? IPPROTO_IPV6 : IPPROTO_IP;
  size_t start = 0;
  while (!err && start < names.len) {
    size_t end = start;
    while (end < names.len && names.data[end] != '\n') end++;
    size_t len = end - start;
    if (len > 0) {
      char name[XT_TABLE_MAXNAMELEN];
      if (len >= sizeof name) {
        err = ENAMETOOLONG;
        break;
      }
      memcpy(name, names.data + start, len);
      name[len] = '\0';
      err = xtables_read_table(sock, level, name, &r->result);
      if (err == ENOENT) err = 0;
    }
    start = end + 1;
  }
  close(sock);
  byte_buffer_free(&names);
  return err;
}

void request_serve(request *r, int recv_timeout_ms, request_context *context) {
  int err;
  switch (r->kind) {
    case REQUEST_READ_FILE:
      err = read_whole_file(r->path, &r->result, context);
      break;
    case REQUEST_NETLINK:
    case REQUEST_TC:
      err = serve_netlink(r, recv_timeout_ms, context);
      break;
    case REQUEST_XTABLES:
      err = serve_xtables(r, context);
      break;
    default:
      err = EINVAL;
  }
  r->error = err;
  if (err) {
    byte_buffer_free(&r->result);
  } else if (r->result.cap > r->result.len + 4096) {
    /* give doubling's slack back before JS holds the bytes for a whole scrape */
    unsigned char *shrunk = realloc(r->result.data, r->result.len ? r->result.len : 1);
    if (shrunk) {
      r->result.data = shrunk;
      r->result.cap = r->result.len ? r->result.len : 1;
    }
  }
}

void request_context_close(request_context *context) {
  if (context->route_fd >= 0) close(context->route_fd);
  if (context->net_dir_fd >= 0) close(context->net_dir_fd);
  free(context->scratch);
  context->route_fd = -1;
  context->net_dir_fd = -1;
  context->scratch = NULL;
}

void request_free(request *r) {
  free(r->path);
  free(r->message);
  byte_buffer_free(&r->result);
  r->path = NULL;
  r->message = NULL;
}
