/*
 * bw_names.h - names and paths as the detection rules compare them
 * (portable core, pure): publishers normalised to a key, the file and the
 * folder of a service's image, and the places any user can write.
 *
 * Registry values are messy on real machines: publishers in ASCII or
 * typographic quotes, with or without a legal form, with trailing
 * punctuation; image paths quoted or not, with arguments, as
 * "\SystemRoot\...", "system32\drivers\...", "\??\C:\..." or
 * "%SystemRoot%\...". These helpers turn each into one comparable form.
 */
#ifndef BW_NAMES_H
#define BW_NAMES_H

#include <stdbool.h>

/* The comparison key of a company name: case-folded, every kind of quote
 * removed (" ' « » “ ” „ ‘ ’ ‹ › ` ´ 「 」 『 』), dots removed
 * ("S.A." -> "sa"), other punctuation and white space turned into single
 * spaces, and legal-form words dropped wherever they stand (AO, ZAO, OAO,
 * PAO, JSC, OJSC, CJSC, OOO, LLC, Ltd, Limited, GmbH, AG, Inc,
 * Incorporated, Corp, Corporation, Co, Company, PLC, SA, SRL, SAS, SARL,
 * BV, NV, KK, Pty, Oy, AB, SpA, and the Cyrillic АО, ЗАО, ОАО, ПАО, ООО).
 * So «АО "Лаборатория Касперского"», "Лаборатория Касперского" (quotes
 * included) and "Лаборатория  Касперского." share the key
 * "лаборатория касперского". malloc'd; NULL for NULL input or on allocation
 * failure. */
char *bw_company_key(const char *name);

/* True when a publisher says nothing: NULL, blank, or a placeholder such
 * as "-", "N/A", "Unknown", "<unknown>", "None" (compared by key). */
bool bw_company_blank(const char *name);

/* The file name of the program or driver in an ImagePath, UninstallString
 * or DisplayIcon: quotes, arguments and ",index" suffixes dropped
 * ("avp.exe" for "\"C:\...\avp.exe\" -r"). malloc'd, NULL if none. */
char *bw_image_file(const char *path);

/* The folder of that file in a canonical form for comparing two images:
 * case-folded, '/' as '\', "\??\" dropped, and the Windows folder written
 * as "%systemroot%" whether the value said "\SystemRoot\", "%SystemRoot%",
 * "%windir%", "C:\Windows\" or gave a path relative to it
 * ("system32\drivers\klif.sys" -> "%systemroot%\system32\drivers").
 * malloc'd; NULL when the path names no folder. */
char *bw_image_folder(const char *path);

/* True for a canonical folder (bw_image_folder) that many programs share,
 * so that two images in it say nothing about each other: the Windows
 * folder, System32, SysWOW64 and their "drivers" subfolders, a drive's
 * root, Program Files, Program Files (x86) and ProgramData themselves. */
bool bw_folder_shared(const char *canon_folder);

/* True for a path in a place an ordinary user can write by default (what
 * such a place holds may be planted, so it never vouches for a
 * machine-wide component): user profiles ("<drive>:\Users\..."), AppData,
 * Temp and Tmp folders anywhere, %TEMP%/%TMP%/%APPDATA%/%LOCALAPPDATA%/
 * %USERPROFILE%/%PUBLIC%, and folders directly under a drive's root other
 * than Windows, Program Files, Program Files (x86), ProgramData and Users
 * (new folders under C:\ are writable by authenticated users). Folders
 * under ProgramData depend on the ACL their installer set and are not
 * judged here. */
bool bw_path_user_writable(const char *path);

#endif
