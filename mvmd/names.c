// SPDX-License-Identifier: MIT
/*
 * names.c - generated guest names: "adjective-noun", like "brave-otter"
 *
 * Short, pronounceable, DNS-label-safe names for guests started without
 * --name. Both lists hold only [a-z] words so every combination passes
 * name_valid(); when the caller runs out of luck it asks for a value past
 * names_count() and gets a numeric suffix ("brave-otter-42").
 */
#include "mvmd/names.h"
#include "common/util.h"

#include <stdio.h>

static const char *const adjectives[] = {
	"agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosy",
	"crisp", "daring", "eager", "fancy", "fluffy", "gentle", "glad",
	"golden", "happy", "honest", "jolly", "keen", "kind", "lively",
	"lucky", "mellow", "merry", "nimble", "noble", "patient", "plucky",
	"proud", "quick", "quiet", "rapid", "shiny", "smart", "steady",
	"sunny", "swift", "tidy", "witty",
};

static const char *const nouns[] = {
	"badger", "beaver", "bison", "cheetah", "crane", "dolphin", "eagle",
	"falcon", "ferret", "finch", "fox", "gecko", "heron", "ibex", "koala",
	"lemur", "lynx", "marmot", "mole", "moose", "newt", "ocelot", "otter",
	"owl", "panda", "puffin", "quail", "raven", "robin", "salmon", "seal",
	"sparrow", "stoat", "swan", "tapir", "tiger", "toucan", "walrus",
	"wombat", "yak",
};

size_t names_count(void)
{
	return ARRAY_SIZE(adjectives) * ARRAY_SIZE(nouns);
}

void names_generate(uint64_t r, char *buf, size_t size)
{
	size_t na = ARRAY_SIZE(adjectives), nn = ARRAY_SIZE(nouns);
	const char *a = adjectives[r % na], *n = nouns[(r / na) % nn];
	uint64_t suffix = r / names_count();

	if (!suffix)
		snprintf(buf, size, "%s-%s", a, n);
	else
		snprintf(buf, size, "%s-%s-%u", a, n, (unsigned)(suffix % 100000));
}
