// SPDX-License-Identifier: MIT
/*
 * fuzz_nat_tcp.c - libFuzzer target for the NAT's TCP engine
 *
 * The input is a program: a sequence of operations on up to NPORTS guest
 * connections (same guest and remote address, guest ports 40000 + i),
 * each an opcode byte and its arguments:
 *
 *   0 p o           guest SYN on connection p (o: bit 0 MSS, bit 1 WS)
 *   1 p fl sd ad w l guest segment: flags fl, seq = rcv point + sd (int16),
 *                   ack = iss + 1 + acked + ad (int16), window w (16 bit),
 *                   l*8 payload bytes (up to 2040)
 *   2 p             host connect done          3 p   host connect refused
 *   4 p n           host produces n*16 bytes, readable
 *   5 p             host EOF                   6 p   host socket error
 *   7 p s           host send space = s*256, writable
 *   8 t             time passes t*8 ms, timers run
 *   9 c w           next connect returns c%3-1; a write takes at most
 *                   w*16 bytes (0: everything)
 *   10 b            the next segment is parsed from its wire form (built
 *                   by nat_tcp_build(), corrupted at byte b unless b = 0)
 *   11 p            active open toward the guest on connection p
 *                   (nat_tcp_open(), a published port): the guest's
 *                   SYN-ACK is then op 1 with flags SYN|ACK (sd = -1 puts
 *                   it at the guest's ISN)
 *
 * The guest's byte stream and the host's are fixed functions of the
 * offset, so the fake host can check everything the engine does:
 *   - it writes to the host only the guest's bytes, in order, and never
 *     more than the guest sent;
 *   - it discards only bytes the host produced and it peeked;
 *   - every segment it emits on a connection carries host bytes that
 *     exist, at their right sequence numbers; acknowledges at most what
 *     the host socket took (plus a FIN); sends a FIN only after the
 *     host's EOF and at the end of the stream;
 *   - after nat_tcp_timers(now), no deadline is left at or before now;
 *   - an active open sends nothing but its SYN (and RSTs) until the
 *     guest's SYN-ACK is taken; from there its streams obey the above.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "nat/nat_tcp.h"

#define NPORTS		3
#define GUEST_IP	0x0a590002u
#define REMOTE_IP	0x5db8d822u
#define MS		1000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct conn {
	uint32_t g_isn;		/* the ISN of op 0's SYNs (fixed per port) */
	uint32_t irs;		/* the ISN of the live connection's SYN */
	int64_t sent;		/* guest bytes "sent" so far: max end offset */
	uint64_t written;	/* guest bytes the engine wrote to the host */
	uint64_t produced;	/* host bytes that exist */
	uint64_t consumed;	/* host bytes discarded (acked by the guest) */
	uint64_t peeked;	/* high water mark of peeked bytes */
	bool eof;
	bool live;
	bool syn_sent;		/* opened by op 11, no SYN-ACK taken yet */
};

struct fz {
	struct conn c[NPORTS];
	int connect_ret;
	size_t wr_cap;
	size_t space;
	struct nat_flow_table *ft;
};

static uint8_t gbyte(unsigned p, uint64_t off)
{
	return (uint8_t)(off * 7 + p * 31 + 1);
}

static uint8_t hbyte(unsigned p, uint64_t off)
{
	return (uint8_t)(off * 13 + p * 17 + 5);
}

static unsigned port_of(const struct nat_flow *f)
{
	unsigned p = (unsigned)(f->key.guest_port - 40000);

	if (p >= NPORTS)
		abort();
	return p;
}

static int f_connect(void *ctx, struct nat_flow *f)
{
	struct fz *z = ctx;
	struct conn *c = &z->c[port_of(f)];
	uint32_t isn = c->g_isn;

	memset(c, 0, sizeof(*c));
	c->g_isn = isn;
	c->irs = f->tcp.irs;	/* any SYN may open it, not only op 0's */
	c->live = true;
	f->host_id = (int)port_of(f);
	return z->connect_ret;
}

static ssize_t f_peek(void *ctx, struct nat_flow *f, size_t off, void *buf,
		      size_t len)
{
	struct fz *z = ctx;
	unsigned p = port_of(f);
	struct conn *c = &z->c[p];
	uint64_t avail = c->produced - c->consumed;
	uint8_t *b = buf;
	size_t i, n;

	if (len > NAT_TCP_SCRATCH)
		abort();
	if (off >= avail)
		return 0;
	n = (size_t)MIN((uint64_t)len, avail - off);
	for (i = 0; i < n; i++)
		b[i] = hbyte(p, c->consumed + off + i);
	if (c->consumed + off + n > c->peeked)
		c->peeked = c->consumed + off + n;
	return (ssize_t)n;
}

static int f_discard(void *ctx, struct nat_flow *f, size_t len)
{
	struct conn *c = &((struct fz *)ctx)->c[port_of(f)];

	/* only bytes that were peeked (sent to the guest) */
	if (c->consumed + len > c->peeked)
		abort();
	c->consumed += len;
	return 0;
}

static ssize_t f_write(void *ctx, struct nat_flow *f, const void *buf,
		       size_t len)
{
	struct fz *z = ctx;
	unsigned p = port_of(f);
	struct conn *c = &z->c[p];
	const uint8_t *b = buf;
	size_t i, n = MIN(len, z->wr_cap);

	if ((int64_t)(c->written + len) > c->sent)
		abort();	/* more than the guest sent */
	for (i = 0; i < len; i++)
		if (b[i] != gbyte(p, c->written + i))
			abort();	/* not the guest's stream, in order */
	c->written += n;
	return n ? (ssize_t)n : -EAGAIN;
}

static size_t f_space(void *ctx, struct nat_flow *f)
{
	return ((struct fz *)ctx)->space;
}

static void f_shutdown(void *ctx, struct nat_flow *f)
{
}

static void f_close(void *ctx, struct nat_flow *f, bool abort_)
{
	((struct fz *)ctx)->c[port_of(f)].live = false;
}

static void f_emit(void *ctx, struct nat_flow *f, const struct nat_seg *s)
{
	struct fz *z = ctx;
	const struct nat_tcp_conn *tc;
	struct conn *c;
	uint32_t base, off, acked;
	unsigned p;
	size_t i;

	if (s->len > NAT_TCP_SCRATCH || (s->len && !s->data))
		abort();
	if (!f)
		return;		/* a RST answering no connection */
	p = port_of(f);
	c = &z->c[p];
	tc = &f->tcp;
	if (s->daddr != GUEST_IP || s->saddr != REMOTE_IP ||
	    s->dport != f->key.guest_port)
		abort();
	if (s->flags == NAT_TCP_RST)
		return;		/* <SEQ=SEG.ACK>: the guest's number */
	if (tc->state == NAT_TCP_SYN_SENT && s->flags != NAT_TCP_SYN)
		abort();	/* only our SYN before the guest answers */
	/* acknowledges only what the host took, plus the guest's FIN */
	acked = s->ack - (tc->irs + 1);
	if ((s->flags & NAT_TCP_ACK) && acked > c->written + 1)
		abort();
	if (s->flags & NAT_TCP_SYN) {
		if (s->seq != tc->iss || s->len)
			abort();
		return;
	}
	base = tc->iss + 1;
	off = s->seq - base;
	if (s->len) {
		/* real host bytes, not yet acknowledged, at their offset */
		if (off < c->consumed || off + s->len > c->produced)
			abort();
		for (i = 0; i < s->len; i++)
			if (s->data[i] != hbyte(p, off + i))
				abort();
	} else if ((uint32_t)(off + 1) > c->produced + 2) {
		abort();
	}
	if ((s->flags & NAT_TCP_FIN) && (!c->eof || off != c->produced))
		abort();
	if (s->mss > 65535 - 40)
		abort();
}

static const struct nat_tcp_ops fops = {
	.connect = f_connect, .peek = f_peek, .discard = f_discard,
	.write = f_write, .space = f_space, .shutdown_wr = f_shutdown,
	.close = f_close, .emit = f_emit,
};

static struct nat_flow *lookup(struct fz *z, unsigned p)
{
	struct nat_flow_key k = {
		.guest_ip = GUEST_IP, .guest_port = (uint16_t)(40000 + p),
		.remote_ip = REMOTE_IP, .remote_port = 80,
		.proto = NAT_PROTO_TCP,
	};

	return nat_flow_lookup(z->ft, &k);
}

static uint8_t payload[2048];

/* send @s through nat_tcp_build() and the parsers, maybe corrupted */
static void via_wire(struct nat_tcp *t, const struct nat_seg *s,
		     uint8_t corrupt, uint64_t now)
{
	static uint8_t buf[NAT_TCP_HDR_MAX + sizeof(payload)];
	struct frame_eth eth = { .type = ETHTYPE_IP4 };
	struct frame_ip4 ip;
	struct frame_l4 l4;
	struct nat_seg in;
	ssize_t n = nat_tcp_build(s, 0, buf, sizeof(buf));

	if (n < 0)
		abort();
	if (corrupt && corrupt < n)
		buf[corrupt] ^= 0x5a;
	eth.l3 = cur_init(buf, (size_t)n);
	if (frame_parse_ip4(&eth, &ip) || frame_parse_tcp(&ip, &l4))
		return;
	if (nat_tcp_parse(&ip, &l4, false, &in)) {
		if (!corrupt)
			abort();	/* our own checksum must verify */
		return;
	}
	if (in.len && (in.data < buf || in.data + in.len > buf + n))
		abort();
	/* a corrupted header field may change the stream: keep the byte
	 * checks meaningful by only delivering uncorrupted payload */
	if (corrupt && in.len)
		return;
	nat_tcp_input(t, &in, now);
}

static int get(const uint8_t **d, size_t *n, uint8_t *v)
{
	if (!*n)
		return -1;
	*v = **d;
	(*d)++;
	(*n)--;
	return 0;
}

static int get16(const uint8_t **d, size_t *n, uint16_t *v)
{
	uint8_t a, b;

	if (get(d, n, &a) || get(d, n, &b))
		return -1;
	*v = (uint16_t)(a << 8 | b);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct nat_hash_key key = { 42, 43 };
	struct nat_tcp_config cfg = nat_tcp_config_default(1500);
	uint64_t now = 1000000000000ull;
	struct nat_tcp *t;
	struct fz z;
	bool wire = false;
	uint8_t corrupt = 0;
	uint8_t op, p, a, b;
	uint16_t sd, ad, w;
	unsigned i;

	memset(&z, 0, sizeof(z));
	z.wr_cap = SIZE_MAX;
	z.space = 65536;
	z.connect_ret = 0;
	for (i = 0; i < NPORTS; i++)
		z.c[i].g_isn = 0xffffff00u + i * 0x40;	/* near the wrap */
	if (nat_flow_table_create(4, 4, &key, &z.ft))
		return 0;
	cfg.idle_timeout_ms = 60000;
	cfg.max_retries = 4;
	if (nat_tcp_create(&cfg, z.ft, &fops, &z, &t)) {
		nat_flow_table_destroy(z.ft);
		return 0;
	}

	while (!get(&data, &size, &op)) {
		struct nat_flow *f;
		struct conn *c;

		op %= 12;
		if (op == 8) {
			if (get(&data, &size, &a))
				break;
			now += (uint64_t)a * 8 * MS;
			nat_tcp_timers(t, now);
			if (nat_tcp_next_deadline(t) <= now)
				abort();
			continue;
		}
		if (op == 9) {
			if (get(&data, &size, &a) || get(&data, &size, &b))
				break;
			z.connect_ret = a % 3 - 1;
			z.wr_cap = b ? (size_t)b * 16 : SIZE_MAX;
			continue;
		}
		if (op == 10) {
			if (get(&data, &size, &corrupt))
				break;
			wire = true;
			continue;
		}
		if (get(&data, &size, &p))
			break;
		p %= NPORTS;
		c = &z.c[p];
		f = lookup(&z, p);
		switch (op) {
		case 0: {
			struct nat_seg s = {
				.saddr = GUEST_IP, .sport = (uint16_t)(40000 + p),
				.daddr = REMOTE_IP, .dport = 80,
				.seq = c->g_isn, .flags = NAT_TCP_SYN,
				.win = 65535, .wscale = -1,
			};

			if (get(&data, &size, &a))
				goto out;
			if (a & 1)
				s.mss = (uint16_t)(a * 23);
			if (a & 2)
				s.wscale = (int8_t)(a >> 4);
			if (wire)
				via_wire(t, &s, corrupt, now);
			else
				nat_tcp_input(t, &s, now);
			wire = false;
			break;
		}
		case 1: {
			struct nat_seg s = {
				.saddr = GUEST_IP, .sport = (uint16_t)(40000 + p),
				.daddr = REMOTE_IP, .dport = 80,
				.wscale = -1, .data = payload,
			};
			uint32_t off;

			if (get(&data, &size, &a) || get16(&data, &size, &sd) ||
			    get16(&data, &size, &ad) ||
			    get16(&data, &size, &w) || get(&data, &size, &b))
				goto out;
			off = (uint32_t)c->written + (uint32_t)(int16_t)sd;
			s.flags = a & 0x3f;
			s.seq = (f ? c->irs : c->g_isn) + 1 + off;
			s.ack = (f ? f->tcp.iss + 1 : 0) +
				(uint32_t)c->consumed + (uint32_t)(int16_t)ad;
			s.win = w;
			s.len = (size_t)b * 8;
			for (i = 0; i < s.len; i++)
				payload[i] = gbyte(p, off + i);
			/* what the guest has sent, as a signed offset */
			if (s.len && (int32_t)off + (int64_t)s.len > c->sent)
				c->sent = (int32_t)off + (int64_t)s.len;
			if (wire)
				via_wire(t, &s, corrupt, now);
			else
				nat_tcp_input(t, &s, now);
			wire = false;
			f = lookup(&z, p);
			if (c->syn_sent && f &&
			    f->tcp.state != NAT_TCP_SYN_SENT) {
				/* established: the guest's stream starts after
				 * the SYN-ACK's sequence number, its payload was
				 * not taken */
				c->syn_sent = false;
				c->irs = f->tcp.irs;
				c->sent = 0;
			}
			break;
		}
		case 11: {
			struct nat_flow_key k = {
				.guest_ip = GUEST_IP,
				.guest_port = (uint16_t)(40000 + p),
				.remote_ip = REMOTE_IP, .remote_port = 80,
				.proto = NAT_PROTO_TCP,
			};
			uint32_t isn = c->g_isn;

			if (f)
				break;
			memset(c, 0, sizeof(*c));
			c->g_isn = c->irs = isn;
			c->live = c->syn_sent = true;
			if (nat_tcp_open(t, &k, (int)p, now, NULL))
				c->live = c->syn_sent = false;
			break;
		}
		case 2:
			if (f)
				nat_tcp_connected(t, f, now);
			break;
		case 3:
			if (f)
				nat_tcp_connect_failed(t, f, -111, now);
			break;
		case 4:
			if (get(&data, &size, &a))
				goto out;
			if (!f || !c->live || c->eof)
				break;
			c->produced += (uint64_t)a * 16;
			nat_tcp_host_readable(t, f, now);
			break;
		case 5:
			if (!f || !c->live)
				break;
			c->eof = true;
			nat_tcp_host_eof(t, f, now);
			break;
		case 6:
			if (f)
				nat_tcp_host_error(t, f, -104, now);
			break;
		case 7:
			if (get(&data, &size, &a))
				goto out;
			z.space = (size_t)a * 256;
			if (f)
				nat_tcp_host_writable(t, f, now);
			break;
		}
	}
out:
	nat_tcp_destroy(t);
	nat_flow_table_destroy(z.ft);
	return 0;
}
