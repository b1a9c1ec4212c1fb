# installer/signing.cmake - Authenticode signatures for what the Windows
# build ships (included by the top-level CMakeLists.txt).
#
# banwatch.exe is signed in place right after it is linked, so every test
# runs the signed program and the MSI packages it; the MSI is signed once
# built (installer/CMakeLists.txt). installer/sign.sh signs with the
# certificate in BANWATCH_SIGN_PFX (password in BANWATCH_SIGN_PASSWORD)
# when the environment provides one, else with a test certificate it makes
# in <build>/signing (installer/test-cert.sh; never committed).
# -DBW_SIGN=OFF builds unsigned.
option(BW_SIGN "Sign banwatch.exe and the MSI (Authenticode, osslsigncode)" ON)
set(BW_SIGN_DIR "${CMAKE_BINARY_DIR}/signing")
set(BW_SIGN_SH "${CMAKE_SOURCE_DIR}/installer/sign.sh")
if(BW_SIGN)
  find_program(BW_OSSLSIGNCODE osslsigncode)
  find_program(BW_OPENSSL openssl)
  if(NOT BW_OSSLSIGNCODE OR NOT BW_OPENSSL)
    message(FATAL_ERROR "signing needs osslsigncode and openssl: run toolchain/setup.sh "
                        "(or configure with -DBW_SIGN=OFF)")
  endif()
endif()

# Signs the target's file in place after each link.
function(bw_sign_after_build target)
  if(BW_SIGN)
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND bash "${BW_SIGN_SH}" --test-cert "${BW_SIGN_DIR}" "$<TARGET_FILE:${target}>"
      VERBATIM)
  endif()
endfunction()
