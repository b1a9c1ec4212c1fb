/*
 * bw_collect.h - the collectors: read the machine into a snapshot (Win32
 * layer). Each collector only reads; it never evaluates policy. A part it
 * cannot read becomes a gap in the snapshot (where + reason with the Win32
 * code) and the collector carries on; only allocation failure (BW_ENOMEM)
 * stops it. The `api` table is the only way to the OS.
 */
#ifndef BW_COLLECT_H
#define BW_COLLECT_H

#include "../bw_api.h"
#include "../../core/bw_snapshot.h"

/* Uninstall entries: HKLM ...\CurrentVersion\Uninstall in the 64-bit and
 * the 32-bit view, and the same key in every user hive loaded under HKU
 * (skipping the *_Classes hives). Every subkey is kept, with or without a
 * DisplayName: evaluation decides what matters. */
bw_err bw_win_collect_uninstall(const bw_api *api, bw_snapshot *snap);

/* Services and drivers: EnumServicesStatusExW (all types and states)
 * merged by name with HKLM\SYSTEM\CurrentControlSet\Services, so that
 * drivers known only to the registry are seen. Reads Type, Start,
 * ImagePath, DisplayName, Description, Group and Instances\*\Altitude. */
bw_err bw_win_collect_services(const bw_api *api, bw_snapshot *snap);

/* UpperFilters/LowerFilters of every key under
 * HKLM\SYSTEM\CurrentControlSet\Control\Class. */
bw_err bw_win_collect_class_filters(const bw_api *api, bw_snapshot *snap);

/* The vendor's registry roots (paths like "HKLM\SOFTWARE\KasperskyLab",
 * in both views): a record for each root that exists, and one per subkey
 * directly under it and under its "protected" subkey, with the string
 * values of that subkey's "environment" key. */
bw_err bw_win_collect_vendor_roots(const bw_api *api, const bw_strlist *roots, bw_snapshot *snap);

/* Host name (DNS host name, else NetBIOS name) and the current time. */
bw_err bw_win_collect_host(const bw_api *api, bw_snapshot *snap);

/* Update evidence (read only; parsed in service/core/bw_evidence.c), for
 * each vendor key already in the snapshot (run after the vendor roots):
 *  - registry: <key source>\Data\LastSuccessfulUpdate (REG_DWORD or
 *    REG_QWORD), Data\UpdateState\LastUpdate and
 *    Data\Statistics\InstalledUpdateDate, and, under each root,
 *    Components\34\1103\1.0.0.0\Statistics\AVState Protection_BasesDate
 *    (REG_SZ);
 *  - bases folders: the key's environment values Bases, Base, DataFolder
 *    (its "Bases" subfolder) and UpdateRoot, plus the policy's
 *    vendor.bases_paths; in each folder the index files (*.xml directly in
 *    it and in its "index" subfolder), Stat\kdb.stt, and the newest
 *    modification time of the files directly in it.
 * The key's own %Name% variables, then Windows' (%ProgramData%...), are
 * expanded. A folder or file
 * that does not exist is no gap; one that cannot be read is. */
bw_err bw_win_collect_evidence(const bw_api *api, const bw_strlist *bases_paths,
                               bw_snapshot *snap);

/* TCP connections (GetExtendedTcpTable, IPv4 and IPv6, owner pids) with
 * each owning process's image path (OpenProcess with
 * PROCESS_QUERY_LIMITED_INFORMATION + QueryFullProcessImageNameW, once per
 * pid). A table that cannot be read is a gap ("TCP table (IPv4)"); a
 * process that is protected, a system process or already gone keeps
 * image NULL with a note and no gap (bw_connection_entry); any other
 * failure to name a process is a gap at "process <pid>". */
bw_err bw_win_collect_connections(const bw_api *api, bw_snapshot *snap);

/* The anti-virus products registered with Windows Security Center
 * (IWSCProductList) and their states; snap->av_center tells whether
 * Security Center answered. Its absence (Windows Server, Wine) is no gap;
 * another COM failure is. Initialises COM on the calling thread for the
 * call (multithreaded; an existing apartment is used as it is). */
bw_err bw_win_collect_security_center(const bw_api *api, bw_snapshot *snap);

/* Runs every collector above in order, with the vendor roots of `roots` and
 * the default bases folders of `bases_paths`. Only running out of memory
 * (BW_ENOMEM) stops it. */
bw_err bw_win_collect_all(const bw_api *api, const bw_strlist *roots,
                          const bw_strlist *bases_paths, bw_snapshot *snap);

#endif
