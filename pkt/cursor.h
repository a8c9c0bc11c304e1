/* SPDX-License-Identifier: MIT */
/*
 * cursor.h - the one bounds-checked way to read bytes that came from outside
 *
 * Every byte a guest, a peer or a file hands us is read through a cursor:
 * a pointer and the number of bytes left. Reads that would run past the end
 * fail (return NULL / -1) and leave the cursor where it was, so a parser can
 * never index outside the buffer it was given.
 */
#ifndef MVM_CURSOR_H
#define MVM_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** struct cursor - a read position inside a buffer of known length */
struct cursor {
	const uint8_t *p;	/* next byte */
	size_t left;		/* bytes from @p to the end */
};

/** cur_init() - a cursor over @len bytes at @buf */
static inline struct cursor cur_init(const void *buf, size_t len)
{
	struct cursor c = { .p = buf, .left = len };

	return c;
}

/** cur_pull() - take @n bytes; returns them, or NULL if fewer are left */
static inline const void *cur_pull(struct cursor *c, size_t n)
{
	const void *r;

	if (c->left < n)
		return NULL;
	r = c->p;
	c->p += n;
	c->left -= n;
	return r;
}

/** cur_peek() - look at @n bytes without taking them; NULL if short */
static inline const void *cur_peek(const struct cursor *c, size_t n)
{
	return c->left < n ? NULL : c->p;
}

/** cur_copy() - take @n bytes into @dst; 0, or -1 if short */
static inline int cur_copy(struct cursor *c, void *dst, size_t n)
{
	const void *s = cur_pull(c, n);

	if (!s)
		return -1;
	memcpy(dst, s, n);
	return 0;
}

/** cur_u8() - take one byte; 0, or -1 if short */
static inline int cur_u8(struct cursor *c, uint8_t *v)
{
	return cur_copy(c, v, 1);
}

/** cur_be16() - take a big-endian 16-bit value; 0, or -1 if short */
static inline int cur_be16(struct cursor *c, uint16_t *v)
{
	const uint8_t *b = cur_pull(c, 2);

	if (!b)
		return -1;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

/** cur_be32() - take a big-endian 32-bit value; 0, or -1 if short */
static inline int cur_be32(struct cursor *c, uint32_t *v)
{
	const uint8_t *b = cur_pull(c, 4);

	if (!b)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	     (uint32_t)b[2] << 8 | b[3];
	return 0;
}

/** cur_sub() - split off the next @n bytes as their own cursor; -1 if short */
static inline int cur_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	const void *s = cur_pull(c, n);

	if (!s)
		return -1;
	*sub = cur_init(s, n);
	return 0;
}

#endif
