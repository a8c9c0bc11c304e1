/* SPDX-License-Identifier: MIT */
/*
 * nat_tcp_fakehost.h - the fake host socket the TCP engine's unit tests
 * run against (test_nat_tcp.c, test_nat_tcp_open.c)
 *
 * struct host stands for the host socket: a receive queue the engine
 * peeks at and discards from, a record of what it wrote, a settable send
 * space, and counters of every other op. Segments the engine emits are
 * recorded in order (the first MSS of each payload is kept). Time is the
 * caller's: T0 and multiples of MS. One test program includes it once:
 * the engine, its table and the host are file-scope statics.
 *
 * Knobs (set after fake_setup()):
 *   connect_ret	what ops->connect returns (it also sets host_id 3)
 *   wr_cap		most bytes one write takes (SIZE_MAX: no limit)
 *   write_all		a write must take all it is given (asserted)
 *   space_fixed	writes do not use up the send space
 *   expect_host_id	when set, every peek must name that host socket
 */
#ifndef MVM_NAT_TCP_FAKEHOST_H
#define MVM_NAT_TCP_FAKEHOST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "nat/nat_tcp.h"

#define MS		1000000ull
#define T0		(1000 * MS)
#define MTU		1500
#define MSS		(MTU - 40)
#define MAX_SEGS	64

/** struct rec_seg - one segment the engine emitted */
struct rec_seg {
	struct nat_seg s;
	uint8_t data[MSS];	/* s.data points here: the first MSS bytes */
	bool no_flow;		/* emitted without a flow (a stray RST) */
};

/** struct host - the fake host socket and what the engine did to it */
struct host {
	int connect_ret;
	int connects;
	uint8_t rq[16384];	/* receive queue: what the peer sent */
	size_t rq_len;
	size_t discarded;
	uint8_t wr[16384];	/* what the engine wrote */
	size_t wr_len;
	size_t wr_cap;
	bool write_all;
	bool space_fixed;
	size_t space;
	int expect_host_id;
	int host_id_seen;	/* f->host_id when space() was first asked */
	int shutdowns;
	int closes;
	bool abort;
	bool want_write;
	struct rec_seg segs[MAX_SEGS];
	unsigned nsegs;
};

static struct nat_tcp *tcp;
static struct nat_flow_table *ft;
static struct host h;
static struct nat_tcp_config cfg;

static int h_connect(void *ctx, struct nat_flow *f)
{
	struct host *hp = ctx;

	hp->connects++;
	f->host_id = 3;
	return hp->connect_ret;
}

static ssize_t h_peek(void *ctx, struct nat_flow *f, size_t off, void *buf,
		      size_t len)
{
	struct host *hp = ctx;
	size_t n;

	if (hp->expect_host_id)
		assert_int_equal(f->host_id, hp->expect_host_id);
	if (off >= hp->rq_len)
		return 0;
	n = hp->rq_len - off < len ? hp->rq_len - off : len;
	memcpy(buf, hp->rq + off, n);
	return (ssize_t)n;
}

static int h_discard(void *ctx, struct nat_flow *f, size_t len)
{
	struct host *hp = ctx;

	(void)f;
	assert_true(len <= hp->rq_len);
	memmove(hp->rq, hp->rq + len, hp->rq_len - len);
	hp->rq_len -= len;
	hp->discarded += len;
	return 0;
}

static ssize_t h_write(void *ctx, struct nat_flow *f, const void *buf,
		       size_t len)
{
	struct host *hp = ctx;
	size_t n = len < hp->wr_cap ? len : hp->wr_cap;

	(void)f;
	if (n > sizeof(hp->wr) - hp->wr_len)
		n = sizeof(hp->wr) - hp->wr_len;
	if (hp->write_all)
		assert_int_equal(n, len);
	if (!n)
		return -EAGAIN;
	memcpy(hp->wr + hp->wr_len, buf, n);
	hp->wr_len += n;
	if (!hp->space_fixed)
		hp->space -= n < hp->space ? n : hp->space;
	return (ssize_t)n;
}

static size_t h_space(void *ctx, struct nat_flow *f)
{
	struct host *hp = ctx;

	if (!hp->host_id_seen)
		hp->host_id_seen = f->host_id;
	return hp->space;
}

static void h_shutdown(void *ctx, struct nat_flow *f)
{
	(void)f;
	((struct host *)ctx)->shutdowns++;
}

static void h_close(void *ctx, struct nat_flow *f, bool abort)
{
	struct host *hp = ctx;

	(void)f;
	hp->closes++;
	hp->abort = abort;
}

static void h_emit(void *ctx, struct nat_flow *f, const struct nat_seg *s)
{
	struct host *hp = ctx;
	struct rec_seg *r;

	assert_true(hp->nsegs < MAX_SEGS);
	assert_true(s->len <= MAX(cfg.seg_max, (uint32_t)MSS));
	r = &hp->segs[hp->nsegs++];
	r->s = *s;
	if (s->len)	/* the head is enough to check (TSO segments) */
		memcpy(r->data, s->data, MIN(s->len, (size_t)MSS));
	r->s.data = r->data;
	r->no_flow = !f;
}

static void h_want_write(void *ctx, struct nat_flow *f, bool on)
{
	(void)f;
	((struct host *)ctx)->want_write = on;
}

static const struct nat_tcp_ops ops = {
	.connect = h_connect, .peek = h_peek, .discard = h_discard,
	.write = h_write, .space = h_space, .shutdown_wr = h_shutdown,
	.close = h_close, .emit = h_emit, .want_write = h_want_write,
};

/* a fresh host with @space to offer, a 16-flow table keyed @k, an engine */
static void fake_setup(const struct nat_hash_key *k, size_t space)
{
	memset(&h, 0, sizeof(h));
	h.space = space;
	h.wr_cap = SIZE_MAX;
	cfg = nat_tcp_config_default(MTU);
	assert_int_equal(nat_flow_table_create(16, 4, k, &ft), 0);
	assert_int_equal(nat_tcp_create(&cfg, ft, &ops, &h, &tcp), 0);
}

static int teardown(void **state)
{
	(void)state;
	nat_tcp_destroy(tcp);
	nat_flow_table_destroy(ft);
	return 0;
}

/* the last segment emitted */
static struct rec_seg *last(void)
{
	assert_true(h.nsegs > 0);
	return &h.segs[h.nsegs - 1];
}

#endif
