/* A growable byte array: the one shape every request's result takes before it crosses to JS. */
#ifndef NETNS_READER_BYTE_BUFFER_H
#define NETNS_READER_BYTE_BUFFER_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  unsigned char *data;
  size_t len;
  size_t cap;
} byte_buffer;

/* Makes room for `extra` more bytes; returns 0 or ENOMEM. */
static inline int byte_buffer_reserve(byte_buffer *b, size_t extra) {
  if (b->len + extra <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra) cap *= 2;
  unsigned char *grown = realloc(b->data, cap);
  if (!grown) return ENOMEM;
  b->data = grown;
  b->cap = cap;
  return 0;
}

static inline int byte_buffer_append(byte_buffer *b, const void *bytes, size_t n) {
  int err = byte_buffer_reserve(b, n);
  if (err) return err;
  if (n) memcpy(b->data + b->len, bytes, n);
  b->len += n;
  return 0;
}

static inline int byte_buffer_append_u32(byte_buffer *b, unsigned int value) {
  return byte_buffer_append(b, &value, sizeof value);
}

static inline void byte_buffer_free(byte_buffer *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

#endif
