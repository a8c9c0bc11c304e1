// SPDX-License-Identifier: MIT
/*
 * nat_hash.c - SipHash-2-4 (Aumasson & Bernstein, 2012)
 *
 * Written from the paper's description; the test checks the reference
 * vectors. Little-endian message words are assembled byte by byte, so
 * unaligned input and big-endian hosts are fine.
 */
#include "nat/nat_hash.h"

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL64(s->v2, 32);
}

static void sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

uint64_t nat_siphash(const struct nat_hash_key *key, const void *buf,
		     size_t len)
{
	const uint8_t *p = buf;
	struct sip_state s = {
		.v0 = key->k0 ^ 0x736f6d6570736575ull,
		.v1 = key->k1 ^ 0x646f72616e646f6dull,
		.v2 = key->k0 ^ 0x6c7967656e657261ull,
		.v3 = key->k1 ^ 0x7465646279746573ull,
	};
	uint64_t m, last = (uint64_t)(len & 0xff) << 56;
	size_t i, n = len & ~(size_t)7;
	unsigned j;

	for (i = 0; i < n; i += 8) {
		m = 0;
		for (j = 0; j < 8; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		sip_compress(&s, m);
	}
	for (j = 0; j < (len & 7); j++)
		last |= (uint64_t)p[n + j] << (8 * j);
	sip_compress(&s, last);

	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
