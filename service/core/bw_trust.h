/*
 * bw_trust.h - whether a file or folder banwatch uses as LocalSystem can be
 * trusted (portable core, pure).
 *
 * banwatch reads its policy, its state database, its log and its event
 * file as SYSTEM, and renames and appends to them. If an ordinary user
 * could write any of them (or had planted them, or had made one a link to
 * somewhere else), that user could blind the service, make it contain any
 * service, or make SYSTEM write where the user chose. The Win32 layer reads
 * an object's owner, its access control list and what kind of object it is
 * into a bw_object_facts; the decision is made here, from plain data.
 *
 * Trusted principals: LocalSystem (S-1-5-18), the Administrators group
 * (S-1-5-32-544), TrustedInstaller, and the account banwatch itself runs
 * as (on Windows that is LocalSystem, or the administrator running a
 * command). An object is trusted when
 *   - it is not a reparse point (a junction or a symbolic link),
 *   - a file has one name (no hard link elsewhere),
 *   - a trusted principal owns it,
 *   - it has an access control list, and no ACE that applies to the object
 *     itself allows anyone else a right that changes it (writing or
 *     appending data, adding files, deleting, changing its permissions or
 *     owner). Deny ACEs only take rights away; ACEs for CREATOR OWNER and
 *     OWNER RIGHTS stand for the (trusted) owner.
 * Others may read: the folder gives Users read access on purpose.
 */
#ifndef BW_TRUST_H
#define BW_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BW_SID_MAX  192 /* a SID in string form, terminator included */
#define BW_ACES_MAX 64  /* ACEs looked at; more than that is not trusted */

/* Access rights that change an object (winnt.h values; the Win32 layer
 * checks they match). Generic rights are counted as what they include. */
#define BW_ACCESS_WRITE_DATA    0x00000002u /* FILE_WRITE_DATA, FILE_ADD_FILE */
#define BW_ACCESS_APPEND_DATA   0x00000004u /* FILE_APPEND_DATA, FILE_ADD_SUBDIRECTORY */
#define BW_ACCESS_DELETE_CHILD  0x00000040u /* FILE_DELETE_CHILD */
#define BW_ACCESS_DELETE        0x00010000u /* DELETE */
#define BW_ACCESS_WRITE_DAC     0x00040000u /* WRITE_DAC */
#define BW_ACCESS_WRITE_OWNER   0x00080000u /* WRITE_OWNER */
#define BW_ACCESS_GENERIC_ALL   0x10000000u /* GENERIC_ALL */
#define BW_ACCESS_GENERIC_WRITE 0x40000000u /* GENERIC_WRITE */
#define BW_ACCESS_CHANGES                                                                       \
    (BW_ACCESS_WRITE_DATA | BW_ACCESS_APPEND_DATA | BW_ACCESS_DELETE_CHILD | BW_ACCESS_DELETE | \
     BW_ACCESS_WRITE_DAC | BW_ACCESS_WRITE_OWNER | BW_ACCESS_GENERIC_ALL |                      \
     BW_ACCESS_GENERIC_WRITE)

/* One entry of an access control list. */
typedef struct bw_ace {
    bool allow;        /* an access-allowed ACE (else a deny or another type) */
    bool inherit_only; /* applies only to what is created inside */
    uint32_t mask;     /* the rights */
    char sid[BW_SID_MAX];
} bw_ace;

/* What the Win32 layer read about one file or folder. */
typedef struct bw_object_facts {
    bool is_dir;
    bool reparse;   /* FILE_ATTRIBUTE_REPARSE_POINT: a junction or a link */
    uint32_t links; /* names of a file (hard links); 0 when unknown */
    char owner[BW_SID_MAX];
    bool has_dacl;       /* false: a NULL DACL, everyone may do anything */
    bool dacl_protected; /* does not inherit from its parent */
    size_t n_aces;
    bool aces_truncated; /* there were more than BW_ACES_MAX */
    bw_ace aces[BW_ACES_MAX];
} bw_object_facts;

/* Whether a SID (string form) is one of the trusted principals above;
 * self_sid is the account banwatch runs as (may be NULL or empty). */
bool bw_sid_trusted(const char *sid, const char *self_sid);

/* A name for a well-known SID ("SYSTEM", "Administrators", "Users",
 * "Authenticated Users", "Everyone", ...) or the SID itself. */
const char *bw_sid_name(const char *sid);

/* Whether the owner of o can be trusted. */
bool bw_owner_trusted(const bw_object_facts *o, const char *self_sid);

/* Whether the object can be trusted (the rules above). When it cannot, why
 * says so in one line for an event ("owned by S-1-5-21-1-2-3-1001",
 * "Users (S-1-5-32-545) may write it", "it is a junction or symbolic link",
 * "it has 2 names (hard links)", "it has no access control list: anyone
 * may write it"). */
bool bw_object_trusted(const bw_object_facts *o, const char *self_sid, char *why, size_t whylen);

#endif
