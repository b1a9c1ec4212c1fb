# Writes the file IN as a C byte array (bw_default_policy_text) to OUT.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from policies/kaspersky.yaml: do not edit. */\n#include <stddef.h>\nextern const char bw_default_policy_text[];\nextern const size_t bw_default_policy_len;\nconst char bw_default_policy_text[] = {\n${bytes}0x00};\nconst size_t bw_default_policy_len = ${len};\n")
