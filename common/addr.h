/* SPDX-License-Identifier: MIT */
/* addr.h - IPv4 address, CIDR prefix and MAC address parsing and formatting */
#ifndef MVM_ADDR_H
#define MVM_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* IPv4 addresses are kept in host byte order throughout mvm's control plane */

#define IP4_STRLEN 16	/* "255.255.255.255" + NUL */
#define CIDR_STRLEN 19	/* "255.255.255.255/32" + NUL */
#define MAC_STRLEN 18	/* "02:00:00:00:00:00" + NUL */

/** struct cidr4 - an IPv4 subnet: @addr is the network address (host bits 0) */
struct cidr4 {
	uint32_t addr;
	uint8_t prefix;
};

/** ip4_parse() - dotted quad to host-order address; 0 or -EINVAL */
int ip4_parse(const char *s, uint32_t *out);

/** ip4_format() - host-order address to dotted quad in @buf (IP4_STRLEN) */
char *ip4_format(uint32_t a, char *buf);

/**
 * cidr4_parse() - "A.B.C.D/N" to a subnet
 * Rejects host bits set, prefixes outside 8..30 (a network needs a gateway,
 * at least one guest and a broadcast address) and anything trailing.
 * Return: 0 or -EINVAL
 */
int cidr4_parse(const char *s, struct cidr4 *out);

/** cidr4_format() - subnet to "A.B.C.D/N" in @buf (CIDR_STRLEN) */
char *cidr4_format(const struct cidr4 *c, char *buf);

/** cidr4_mask() - netmask of a prefix length, host order */
uint32_t cidr4_mask(uint8_t prefix);

/** cidr4_contains() - is @a inside @c? */
int cidr4_contains(const struct cidr4 *c, uint32_t a);

/** cidr4_overlap() - do two subnets share any address? */
int cidr4_overlap(const struct cidr4 *a, const struct cidr4 *b);

/** cidr4_gateway() - the gateway address of a subnet: its first host */
uint32_t cidr4_gateway(const struct cidr4 *c);

/** cidr4_broadcast() - the broadcast address of a subnet */
uint32_t cidr4_broadcast(const struct cidr4 *c);

/** mac_parse() - "aa:bb:cc:dd:ee:ff" to 6 bytes; 0 or -EINVAL */
int mac_parse(const char *s, uint8_t mac[6]);

/** mac_format() - 6 bytes to "aa:bb:cc:dd:ee:ff" in @buf (MAC_STRLEN) */
char *mac_format(const uint8_t mac[6], char *buf);

/**
 * sockaddr_parse() - parse "1.2.3.4", "1.2.3.4:5353", "::1" or
 *		      "[::1]:5353" into a socket address
 * @s:		text
 * @default_port: the port when @s names none
 * @ss, @len:	receive the socket address
 * Return: 0 or -EINVAL
 */
int sockaddr_parse(const char *s, uint16_t default_port,
		   struct sockaddr_storage *ss, socklen_t *len);

#endif
