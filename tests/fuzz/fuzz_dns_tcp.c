// SPDX-License-Identifier: MIT
/*
 * fuzz_dns_tcp.c - libFuzzer target for DNS over TCP as the gateway serves
 *		    it (gateway/gw_dns_tcp.c): arbitrary bytes as a guest's
 *		    stream, arriving in reads of sizes the input picks, framed
 *		    into a bounded buffer (dns/dns_tcp.h), each whole query
 *		    answered over TCP into a bounded output buffer
 *
 * Invariants: a message returned lies inside the bytes held and never
 * exceeds the limit; consuming it keeps the rest in order; the output
 * buffer always reparses as whole messages (a framed answer is never cut)
 * and never exceeds its capacity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_msg.h"
#include "dns/dns_server.h"
#include "dns/dns_tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX	4096			/* GW_DNS_QUERY_MAX */
#define IN_CAP	(DNS_TCP_PREFIX + QMAX)
#define OUT_CAP	(2 * (DNS_TCP_PREFIX + 16384))

static struct dns_zone *zone;

static void setup(void)
{
	struct dns_zone_cfg c = { .domain = "lab.mvm",
				  .subnet = { 0x0a590000u, 24 },
				  .host_access = 1, .host_addr = 0x0a590001u };
	const char *aliases[] = { "www" };
	struct dns_owner o = { .id = 1, .name = "web", .aliases = aliases,
			       .n_aliases = 1, .has_v4 = 1, .v4 = 0x0a590002u };

	if (dns_zone_new(&c, &zone))
		abort();
	dns_zone_add(zone, &o);
}

/* the output holds whole framed messages, nothing else */
static void check_out(const struct dns_tcp_buf *out)
{
	struct dns_tcp_buf b = *out;
	const uint8_t *m;
	size_t len, total = 0;
	long n;

	if (out->len > out->cap)
		abort();
	while ((n = dns_tcp_next(&b, DNS_TCP_MAX, &m, &len)) > 0) {
		total += (size_t)n;
		b.p += n;
		b.len -= (size_t)n;
	}
	if (n < 0 || total != out->len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t inmem[IN_CAP], outmem[OUT_CAP];
	struct dns_tcp_buf in = { .p = inmem, .cap = IN_CAP };
	struct dns_tcp_buf out = { .p = outmem, .cap = OUT_CAP };
	struct dns_zone *zones[1];
	struct dns_view v = { zones, 1, 0, 0 };
	size_t pos = 1, step;

	if (!zone)
		setup();
	zones[0] = zone;
	if (!size)
		return 0;
	step = (size_t)data[0] % 64 + 1;	/* bytes per read */
	while (pos < size || in.len) {
		size_t k = size - pos < step ? size - pos : step;
		const uint8_t *m;
		size_t len;
		long n;

		if (k > in.cap - in.len)
			k = in.cap - in.len;
		memcpy(in.p + in.len, data + pos, k);
		in.len += k;
		pos += k;
		while ((n = dns_tcp_next(&in, QMAX, &m, &len)) > 0) {
			uint8_t *resp = out.p + out.len + DNS_TCP_PREFIX;
			size_t room = dns_tcp_room(&out), rlen = 0, held = in.len;

			if (m != in.p + DNS_TCP_PREFIX || len > QMAX ||
			    (size_t)n != DNS_TCP_PREFIX + len || (size_t)n > held)
				abort();
			if (room >= DNS_UDP_MIN &&
			    dns_server_answer(&v, m, len, 1, resp, room,
					      &rlen) == DNS_ANSWER &&
			    dns_tcp_append(&out, resp, rlen))
				abort();	/* it was built to fit */
			dns_tcp_consume(&in, (size_t)n);
			if (in.len != held - (size_t)n)
				abort();
			check_out(&out);
			if (out.len > OUT_CAP / 2)	/* the socket took it */
				dns_tcp_consume(&out, out.len);
		}
		if (n < 0)
			return 0;	/* the server closes the stream */
		if (!k)
			break;		/* the input ran out mid-message */
	}
	return 0;
}
