/*
 * fuzz_snapshot.h - a hostile snapshot from fuzz bytes (test code only):
 * products, services, filters, vendor keys with their environment values,
 * update evidence, connections, Security Center entries and gaps. Strings
 * are either taken from a vocabulary of real names (so that the default
 * policy finds something) or read raw from the input.
 */
#ifndef FUZZ_SNAPSHOT_H
#define FUZZ_SNAPSHOT_H

#include <stdbool.h>

#include "bw_snapshot.h"
#include "fuzz_support.h"

/* Every raw string is made valid UTF-8 (invalid bytes become '?') when
 * valid_utf8 is set, as the collectors' strings always are; otherwise raw
 * bytes pass as they are. Evidence contents (file bytes) stay raw either
 * way. Never NULL. */
bw_snapshot *fz_snapshot_from(fz_in *in, bool valid_utf8);

/* A realistic machine (Endpoint Security and the Network Agent, drivers,
 * vendor keys, bases evidence, a KSN connection, Defender), the same every
 * time. */
bw_snapshot *fz_snapshot_sample(void);

/* A string from one of the vocabularies below, or raw bytes from the input
 * (made valid UTF-8 when valid_utf8), or NULL. */
enum fz_vocab {
    FZ_V_NAME,      /* display names, descriptions */
    FZ_V_PUBLISHER, /* publishers */
    FZ_V_VERSION,   /* versions */
    FZ_V_KEY,       /* registry key and service names */
    FZ_V_PATH,      /* image paths, install locations, file names */
    FZ_V_SOURCE,    /* registry paths */
    FZ_V_ENV,       /* environment value names */
    FZ_V_DATE,      /* dates in the forms the evidence parsers read */
    FZ_V_MISC,      /* hosts, reasons, altitudes, addresses ... */
    FZ_V_COUNT
};
char *fz_vocab_str(fz_in *in, enum fz_vocab v, bool valid_utf8, bool allow_null);

#endif
