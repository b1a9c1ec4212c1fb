/*
 * bw_snapshot.h - what the collectors saw on one machine, as plain data
 * (portable core).
 *
 * Collectors (service/win) fill a snapshot and never judge it; evaluation
 * (bw_eval.h) reads it and never touches the OS. Every string is UTF-8 and
 * owned by the snapshot; a NULL string means "not present" (a missing
 * registry value), which is different from an empty one.
 *
 * A collector that cannot read one item records a gap (where + why) and
 * carries on; a snapshot with gaps is reported as incomplete.
 */
#ifndef BW_SNAPSHOT_H
#define BW_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"
#include "bw_str.h"

/* Which registry view an entry was read from. */
typedef enum bw_view {
    BW_VIEW_NONE = 0, /* not view-specific (services, class keys) */
    BW_VIEW_64,       /* HKLM, 64-bit view */
    BW_VIEW_32,       /* HKLM, 32-bit view (WOW6432Node) */
    BW_VIEW_USER      /* a user hive under HKU */
} bw_view;

/* One subkey of an Uninstall key. */
typedef struct bw_product_entry {
    char *key_name;         /* subkey name: the stable id */
    char *display_name;     /* DisplayName */
    char *publisher;        /* Publisher */
    char *display_version;  /* DisplayVersion */
    char *product_version;  /* ProductDisplayVersion (KES 11 keeps it here) */
    char *install_location; /* InstallLocation */
    char *uninstall_string; /* UninstallString */
    char *display_icon;     /* DisplayIcon */
    char *install_date;     /* InstallDate (YYYYMMDD, as stored) */
    char *source;           /* full registry path of the subkey */
    char *user_sid;         /* for BW_VIEW_USER: the hive's SID */
    bw_view view;
    bool system_component; /* SystemComponent = 1 */
    /* The key's name is not valid UTF-16 (an unpaired surrogate, a NUL):
     * key_name holds it escaped (bw_utf16_to_utf8_escaped). */
    bool name_escaped;
} bw_product_entry;

/* Service type bits (the values of the Services key's Type). */
#define BW_SVC_KERNEL_DRIVER     0x1u
#define BW_SVC_FS_DRIVER         0x2u
#define BW_SVC_RECOGNIZER_DRIVER 0x8u
#define BW_SVC_DRIVER_MASK       0x0Fu
#define BW_SVC_WIN32_OWN         0x10u
#define BW_SVC_WIN32_SHARE       0x20u

/* Start types (Start value) and states (SERVICE_STATUS.dwCurrentState). */
#define BW_START_BOOT             0u
#define BW_START_SYSTEM           1u
#define BW_START_AUTO             2u
#define BW_START_DEMAND           3u
#define BW_START_DISABLED         4u
#define BW_STATE_UNKNOWN          0u
#define BW_STATE_STOPPED          1u
#define BW_STATE_START_PENDING    2u
#define BW_STATE_STOP_PENDING     3u
#define BW_STATE_RUNNING          4u
#define BW_STATE_CONTINUE_PENDING 5u
#define BW_STATE_PAUSE_PENDING    6u
#define BW_STATE_PAUSED           7u

/* One service or driver, merged from the SCM and the Services key. */
typedef struct bw_service_entry {
    char *name;           /* key / service name */
    char *display_name;   /* SCM display name, else the DisplayName value */
    char *description;    /* Description value */
    char *image_path;     /* ImagePath value, as stored */
    char *group;          /* Group value */
    char *source;         /* registry path of the Services\<name> key */
    bw_strlist altitudes; /* Instances\*\Altitude values */
    uint32_t type;        /* Type bits; valid if has_type */
    uint32_t start;       /* Start; valid if has_start */
    uint32_t state;       /* BW_STATE_*, BW_STATE_UNKNOWN if not in SCM */
    bool has_type;
    bool has_start;
    bool delayed_auto; /* DelayedAutostart is not 0: automatic, started after the others */
    bool in_scm;       /* listed by EnumServicesStatusExW */
    bool in_registry;  /* present under HKLM\SYSTEM\...\Services */
} bw_service_entry;

/* One name in a device class key's UpperFilters or LowerFilters. */
typedef struct bw_filter_entry {
    char *class_guid; /* "{4D36E96B-E325-11CE-BFC1-08002BE10318}" */
    char *class_name; /* Class value, e.g. "Keyboard" */
    char *position;   /* "UpperFilters" or "LowerFilters" */
    char *filter;     /* the driver name listed */
    char *source;     /* registry path of the class key */
} bw_filter_entry;

/* A name/value pair read from the registry (string data only). */
typedef struct bw_kv {
    char *name;
    char *value;
} bw_kv;

/* A key found under one of the vendor's registry roots. key_name is the
 * subkey under the root (e.g. "AVP21.3", or "protected\AVP21.3"), or NULL
 * when the record stands for the root itself. env holds the string values
 * of the subkey's "environment" key (ProductName, ProductVersion, ...). */
typedef struct bw_vendor_key {
    char *root; /* the policy's root as written, e.g. HKLM\SOFTWARE\KasperskyLab */
    char *key_name;
    char *source; /* full registry path read */
    bw_view view;
    bw_kv *env;
    size_t n_env;
} bw_vendor_key;

/* Where a piece of update evidence was read from. The collectors only read
 * (raw text, file times); the parsers of bw_evidence.h interpret it. */
typedef enum bw_evidence_kind {
    BW_EVIDENCE_BASES_INDEX = 0,  /* a bases index XML file (UpdateDate / <Update Date>) */
    BW_EVIDENCE_KDB_STT,          /* kdb.stt of server products ("<n>;YYYYMMDDHHMM") */
    BW_EVIDENCE_LAST_UPDATE,      /* registry Data\LastSuccessfulUpdate (DWORD Unix
                                     time, or QWORD FILETIME in 21.x) */
    BW_EVIDENCE_BASES_DATE,       /* Network Agent Protection_BasesDate (UTC text) */
    BW_EVIDENCE_FILE_MTIME,       /* newest modification time in a bases folder */
    BW_EVIDENCE_INSTALL_DATE,     /* Uninstall InstallDate of a vendor product (not
                                     collected as an entry: read from the product) */
    BW_EVIDENCE_UPDATE_STATE,     /* registry Data\UpdateState\LastUpdate (FILETIME) */
    BW_EVIDENCE_INSTALLED_UPDATE, /* registry Data\Statistics\InstalledUpdateDate
                                     ("DDMMYYYY HHMM") */
    BW_EVIDENCE_BASES_INFO        /* registry watchdog\BasesInfo\Date of KES
                                     (FILETIME) */
} bw_evidence_kind;

typedef struct bw_evidence_entry {
    bw_evidence_kind kind;
    char *product;     /* the vendor key it belongs to ("AVP21.3"), or NULL */
    char *source;      /* file path or registry value path */
    char *raw;         /* text read (files: their bytes, NUL-terminated, at
                          most 1 MiB; registry strings), or NULL */
    size_t raw_len;    /* bytes of raw (UTF-16 files keep their BOM) */
    uint32_t reg_type; /* registry values: the value's type (BW_REG_*);
                          0 for files */
    uint64_t number;   /* REG_DWORD / REG_QWORD / 8-byte REG_BINARY data
                          (string values are in raw) */
    int64_t mtime;     /* BW_EVIDENCE_FILE_MTIME: Unix seconds, UTC */
} bw_evidence_entry;

/* TCP states (MIB_TCP_STATE values). */
#define BW_TCP_CLOSED      1u
#define BW_TCP_LISTEN      2u
#define BW_TCP_SYN_SENT    3u
#define BW_TCP_SYN_RCVD    4u
#define BW_TCP_ESTABLISHED 5u
#define BW_TCP_FIN_WAIT1   6u
#define BW_TCP_FIN_WAIT2   7u
#define BW_TCP_CLOSE_WAIT  8u
#define BW_TCP_CLOSING     9u
#define BW_TCP_LAST_ACK    10u
#define BW_TCP_TIME_WAIT   11u
#define BW_TCP_DELETE_TCB  12u

/* One row of the TCP connection table (IPv4 or IPv6) with its owning
 * process. image is NULL when the process could not be opened or named;
 * image_note then says why ("open: access denied (5)": system processes
 * and those protected beyond PROCESS_QUERY_LIMITED_INFORMATION, "process
 * exited (87)": it ended between the table and the open, "system idle
 * process": pid 0). Those are expected on every machine and are no gap;
 * other failures are recorded as gaps at "process <pid>" as well. */
typedef struct bw_connection_entry {
    uint32_t pid;
    char *image;      /* full image path (QueryFullProcessImageNameW), or NULL */
    char *image_note; /* why image is NULL; NULL when it is set */
    char *local_addr; /* "192.0.2.10", "2001:db8::1" (no brackets) */
    char *remote_addr;
    uint16_t local_port, remote_port;
    uint32_t state; /* BW_TCP_* */
    bool ipv6;
} bw_connection_entry;

/* An anti-virus product registered with Windows Security Center. */
typedef enum bw_av_state {
    BW_AV_ON = 0, /* WSC_SECURITY_PRODUCT_STATE_ON */
    BW_AV_OFF,
    BW_AV_SNOOZED,
    BW_AV_EXPIRED,
    BW_AV_UNKNOWN /* a value this build does not know */
} bw_av_state;

typedef struct bw_av_entry {
    char *name; /* the product name Security Center shows */
    bw_av_state state;
} bw_av_entry;

/* "on", "off", "snoozed", "expired", "unknown". */
const char *bw_av_state_name(bw_av_state s);

/* What a gap could hide: one bit per finding kind (the bw_kind values of
 * bw_eval.h, in the same order). A gap holds back only what its own source
 * could have found (bw_store.h, resolving). */
#define BW_HIDES_PRODUCT        0x01u
#define BW_HIDES_SERVICE        0x02u
#define BW_HIDES_DRIVER         0x04u
#define BW_HIDES_KSN            0x08u
#define BW_HIDES_FILTER         0x10u
#define BW_HIDES_REGISTRY       0x20u
#define BW_HIDES_KSN_CONNECTION 0x40u
#define BW_HIDES_SERVICES       (BW_HIDES_SERVICE | BW_HIDES_DRIVER | BW_HIDES_KSN)
#define BW_HIDES_ALL            0x7Fu

/* Something the collectors could not read. `where` is a registry path
 * ("HKLM\..."), a file path or a name ("service control manager"). A
 * registry path scopes the gap: it can only hide findings whose source lies
 * under it, or that it lies under (a value of the finding's own key). Any
 * other `where` hides every finding of its kinds. */
typedef struct bw_gap {
    char *where;    /* e.g. a registry path */
    char *reason;   /* e.g. "access denied (5)" */
    unsigned hides; /* BW_HIDES_* of the collector that recorded it; 0 for
                       update evidence and other data no finding depends on */
} bw_gap;

typedef struct bw_snapshot {
    char *host;       /* computer name (DNS host name if known) */
    int64_t taken_at; /* Unix seconds, UTC */
    /* Group Policy turns Microsoft Defender Antivirus off
     * (HKLM\SOFTWARE\Policies\Microsoft\Windows Defender, DisableAntiSpyware
     * or DisableAntiVirus = 1), or the setting could not be read (then a gap
     * says so): containment must not count on Defender (bw_contain.h). */
    bool defender_off;

    bw_product_entry *products;
    size_t n_products, cap_products;
    bw_service_entry *services;
    size_t n_services, cap_services;
    bw_filter_entry *filters;
    size_t n_filters, cap_filters;
    bw_vendor_key *vendor_keys;
    size_t n_vendor_keys, cap_vendor_keys;
    bw_evidence_entry *evidence;
    size_t n_evidence, cap_evidence;
    bw_connection_entry *connections;
    size_t n_connections, cap_connections;
    /* Security Center's anti-virus products, when it answered (av_center);
     * it does not exist on Windows Server or under Wine. */
    bw_av_entry *av;
    size_t n_av, cap_av;
    bool av_center;
    bw_gap *gaps;
    size_t n_gaps, cap_gaps;
    /* What the collector running now could hide: bw_snapshot_add_gap gives
     * each new gap this value (bw_win_collect_all sets it before each
     * collector; a new snapshot starts with BW_HIDES_ALL). */
    unsigned gap_hides;
} bw_snapshot;

bw_snapshot *bw_snapshot_new(void);
void bw_snapshot_free(bw_snapshot *s);

/* Each add function appends a zeroed entry and returns it through *out;
 * the caller fills it with malloc'd strings that the snapshot then owns.
 * The pointer stays valid only until the next add of the same kind. */
bw_err bw_snapshot_add_product(bw_snapshot *s, bw_product_entry **out);
bw_err bw_snapshot_add_service(bw_snapshot *s, bw_service_entry **out);
bw_err bw_snapshot_add_filter(bw_snapshot *s, bw_filter_entry **out);
bw_err bw_snapshot_add_vendor_key(bw_snapshot *s, bw_vendor_key **out);
bw_err bw_snapshot_add_evidence(bw_snapshot *s, bw_evidence_entry **out);
bw_err bw_snapshot_add_connection(bw_snapshot *s, bw_connection_entry **out);
bw_err bw_snapshot_add_av(bw_snapshot *s, bw_av_entry **out);
/* Adds a name/value pair (copies both) to a vendor key. */
bw_err bw_vendor_key_add_env(bw_vendor_key *k, const char *name, const char *value);
/* Value of an environment entry (case-insensitive name), or NULL. */
const char *bw_vendor_key_env(const bw_vendor_key *k, const char *name);

/* The values a vendor key may keep the product's version in, in the order
 * they are preferred (ProductDisplayVersion, ProductVersion,
 * Ins_ProductVersion), and the first of them that is set and not empty
 * (NULL if none is). */
#define BW_VENDOR_VERSION_VALUES 3
extern const char *const bw_vendor_version_values[BW_VENDOR_VERSION_VALUES];
const char *bw_vendor_key_version(const bw_vendor_key *k);

/* An Uninstall entry's version: ProductDisplayVersion when set and not
 * empty, else DisplayVersion (may be NULL). */
const char *bw_product_version(const bw_product_entry *p);

/* Records a gap; `where` is copied, the reason is formatted, `hides` is
 * the snapshot's current gap_hides. */
bw_err bw_snapshot_add_gap(bw_snapshot *s, const char *where, const char *fmt, ...)
    BW_PRINTF(3, 4);

/* "ESTABLISHED", "SYN_SENT", ...; "UNKNOWN" for other values. */
const char *bw_tcp_state_name(uint32_t state);

/* Finds a service by name (case-insensitive), or NULL. */
bw_service_entry *bw_snapshot_find_service(const bw_snapshot *s, const char *name);

#endif
