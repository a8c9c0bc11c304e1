// SPDX-License-Identifier: MIT
/* csum.c - the Internet checksum (RFC 1071) */
#include "pkt/csum.h"

#include <arpa/inet.h>
#include <string.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);
		s += w;
	}
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t csum_ip4_pseudo(uint32_t saddr_be, uint32_t daddr_be, uint8_t proto,
			 uint16_t len)
{
	uint64_t s = 0;

	s += (saddr_be & 0xffff) + (saddr_be >> 16);
	s += (daddr_be & 0xffff) + (daddr_be >> 16);
	s += htons(proto);
	s += htons(len);
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}
