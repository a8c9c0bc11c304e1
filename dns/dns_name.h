/* SPDX-License-Identifier: MIT */
/*
 * dns_name.h - DNS domain names in wire form (RFC 1035 3.1, 4.1.4)
 *
 * A struct dns_name always holds an uncompressed name: length-prefixed
 * labels ending with the root (a zero octet). Names read from a message
 * have their compression pointers expanded; the case of the bytes is kept
 * as received (DNS 0x20 resolvers check that the question is echoed
 * verbatim), and every comparison here is ASCII case-insensitive
 * (RFC 4343).
 */
#ifndef MVM_DNS_NAME_H
#define MVM_DNS_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "pkt/cursor.h"

#define DNS_HDR_LEN	12	/* RFC 1035 4.1.1 */
#define DNS_NAME_MAX	255	/* octets in wire form, root included (RFC 1035 2.3.4) */
#define DNS_LABEL_MAX	63	/* octets in one label (RFC 1035 2.3.4) */
#define DNS_PTR_HOPS	32	/* compression pointers followed per name */
#define DNS_NAME_STRLEN	1024	/* presentation form, worst case all \DDD, + NUL */

/** struct dns_name - an uncompressed name in wire form */
struct dns_name {
	uint16_t len;			/* octets used in @wire, root included */
	uint8_t wire[DNS_NAME_MAX];	/* labels, then the zero root octet */
};

/**
 * dns_name_read() - decode a possibly compressed name from a message
 * @msg:	the whole message (compression pointers are offsets into it)
 * @msg_len:	its length
 * @c:		cursor positioned inside @msg at the name; on success it is
 *		advanced past the name as it appears in place (up to and
 *		including the first pointer or the root octet)
 * @out:	receives the expanded name, case kept
 *
 * Compression pointers (RFC 1035 4.1.4) are followed only backwards:
 * each must point before the start of the label run that contains it and
 * past the header, so loops are impossible; at most DNS_PTR_HOPS are
 * followed. Labels longer than 63 octets, the reserved label types 0x40
 * and 0x80 (RFC 6891 5 retired extended labels), names longer than 255
 * octets and names running past the end of @msg are errors.
 *
 * Return: 0, or -EBADMSG (then @c and @out are unspecified)
 */
int dns_name_read(const uint8_t *msg, size_t msg_len, struct cursor *c,
		  struct dns_name *out);

/**
 * dns_name_from_str() - build a name from presentation text
 * @s:		"web.lab.mvm" or "web.lab.mvm."; "" and "." are the root.
 *		No escapes: this is for names from the control plane.
 * @out:	receives the name, lowercased
 * Return: 0, or -EINVAL (empty label, label over 63, name over 255 octets)
 */
int dns_name_from_str(const char *s, struct dns_name *out);

/**
 * dns_name_to_str() - presentation form of a name (RFC 1035 5.1)
 * @n:		the name
 * @buf:	receives "web.lab.mvm" (no trailing dot; the root is "."),
 *		'.' and '\\' inside labels escaped with '\\', bytes outside
 *		printable ASCII as \DDD
 * @size:	size of @buf; DNS_NAME_STRLEN always suffices
 * Return: length written without the NUL, or -ENAMETOOLONG
 */
int dns_name_to_str(const struct dns_name *n, char *buf, size_t size);

/** dns_name_lower() - ASCII-lowercase the label bytes of @n in place */
void dns_name_lower(struct dns_name *n);

/** dns_name_eq() - are @a and @b the same name, ignoring ASCII case? */
int dns_name_eq(const struct dns_name *a, const struct dns_name *b);

/**
 * dns_name_suffix() - is @n equal to or below @apex?
 * @n:		the name
 * @apex:	the candidate ancestor
 * Return: the offset in @n->wire where @apex starts (so 0 when equal;
 * the labels before it are the part relative to @apex), or -1
 */
int dns_name_suffix(const struct dns_name *n, const struct dns_name *apex);

/**
 * dns_name_labels() - count the labels of @n (the root not counted)
 * Return: the number of labels
 */
int dns_name_labels(const struct dns_name *n);

#endif
